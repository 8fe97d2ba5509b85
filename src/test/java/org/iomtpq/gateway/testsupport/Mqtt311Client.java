package org.iomtpq.gateway.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Optional;

/**
 * A deliberately tiny, single-threaded MQTT 3.1.1 client (QoS 0/1, no keep-alive pings) written for tests.
 * The project has no MQTT 3.1.1 client library on its classpath (Paho v5 speaks only MQTT 5), yet the
 * protocol promises 3.1.1 devices work, so the brokers are exercised with the real 3.1.1 wire format.
 */
public final class Mqtt311Client implements AutoCloseable {

    /** A PUBLISH the broker delivered to us (already acknowledged when QoS 1). */
    public record Message(String topic, byte[] payload, int qos, boolean retained) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private static final int CONNECT = 1, CONNACK = 2, PUBLISH = 3, PUBACK = 4, SUBSCRIBE = 8, SUBACK = 9;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final ArrayDeque<Message> inbox = new ArrayDeque<>();
    private int nextPacketId = 1;

    private Mqtt311Client(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /**
     * Connects (protocol level 4); username/password may be null. Returns the client only for CONNACK
     * return code 0, otherwise throws {@link IOException} naming the code (5 = not authorized).
     */
    public static Mqtt311Client connect(String host, int port, String clientId, String username, String password,
                                        boolean cleanSession) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), 5_000);
        socket.setSoTimeout(10_000);
        Mqtt311Client client = new Mqtt311Client(socket);
        try {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            writeString(body, "MQTT");
            body.write(4);
            int flags = (cleanSession ? 0x02 : 0) | (username != null ? 0x80 : 0) | (password != null ? 0x40 : 0);
            body.write(flags);
            body.write(0);
            body.write(60); // keep-alive seconds; tests are shorter than that
            writeString(body, clientId);
            if (username != null) {
                writeString(body, username);
            }
            if (password != null) {
                writeString(body, password);
            }
            client.send(CONNECT << 4, body.toByteArray());
            byte[] connack = client.readPacketOfType(CONNACK);
            if (connack[1] != 0) {
                throw new IOException("CONNACK return code " + connack[1]);
            }
            return client;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Subscribes one filter; returns the SUBACK code (granted QoS 0..2, or 0x80 = refused). */
    public int subscribe(String filter, int qos) throws IOException {
        int packetId = nextPacketId();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeShort(body, packetId);
        writeString(body, filter);
        body.write(qos);
        send((SUBSCRIBE << 4) | 0x02, body.toByteArray());
        byte[] suback = readPacketOfType(SUBACK);
        return suback[2] & 0xFF;
    }

    /** Publishes with QoS 1 and waits for the broker's PUBACK (3.1.1 PUBACKs carry no reason code). */
    public void publishQos1(String topic, byte[] payload, boolean retain) throws IOException {
        int packetId = nextPacketId();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, topic);
        writeShort(body, packetId);
        body.write(payload);
        send((PUBLISH << 4) | 0x02 | (retain ? 1 : 0), body.toByteArray());
        while (true) {
            byte[] puback = readPacketOfType(PUBACK);
            if (((puback[0] & 0xFF) << 8 | (puback[1] & 0xFF)) == packetId) {
                return;
            }
        }
    }

    /** The next delivered message, or empty when none arrives within the timeout. */
    public Optional<Message> receive(Duration timeout) throws IOException {
        if (!inbox.isEmpty()) {
            return Optional.of(inbox.poll());
        }
        int previousTimeout = socket.getSoTimeout();
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        try {
            readPacketOfType(PUBLISH);
            return Optional.ofNullable(inbox.poll());
        } catch (SocketTimeoutException e) {
            return Optional.empty();
        } finally {
            socket.setSoTimeout(previousTimeout);
        }
    }

    /** Sends DISCONNECT (so no will, and a persistent session is kept) and closes the socket. */
    @Override
    public void close() throws IOException {
        try {
            if (!socket.isClosed()) {
                out.write(new byte[] {(byte) 0xE0, 0});
                out.flush();
            }
        } catch (IOException ignored) {
            // the broker may already have dropped us; closing is what matters
        } finally {
            socket.close();
        }
    }

    /** Reads packets until one of the wanted type arrives; PUBLISHes met on the way are queued and acked. */
    private byte[] readPacketOfType(int wantedType) throws IOException {
        while (true) {
            int header = in.read();
            if (header < 0) {
                throw new EOFException("broker closed the connection");
            }
            byte[] body = new byte[readRemainingLength()];
            in.readFully(body);
            int type = header >>> 4;
            if (type == PUBLISH) {
                acceptPublish(header, body);
            }
            if (type == wantedType) {
                return body;
            }
        }
    }

    private void acceptPublish(int header, byte[] body) throws IOException {
        int qos = (header >>> 1) & 0x03;
        int topicLength = (body[0] & 0xFF) << 8 | (body[1] & 0xFF);
        String topic = new String(body, 2, topicLength, StandardCharsets.UTF_8);
        int offset = 2 + topicLength;
        if (qos > 0) {
            send(PUBACK << 4, Arrays.copyOfRange(body, offset, offset + 2));
            offset += 2;
        }
        inbox.add(new Message(topic, Arrays.copyOfRange(body, offset, body.length), qos, (header & 1) == 1));
    }

    private int readRemainingLength() throws IOException {
        int value = 0;
        for (int shift = 0; shift <= 21; shift += 7) {
            int digit = in.readUnsignedByte();
            value |= (digit & 0x7F) << shift;
            if ((digit & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("malformed remaining length");
    }

    private void send(int header, byte[] body) throws IOException {
        ByteArrayOutputStream packet = new ByteArrayOutputStream(body.length + 5);
        packet.write(header);
        int length = body.length;
        do {
            int digit = length % 128;
            length /= 128;
            packet.write(length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
        packet.write(body, 0, body.length);
        out.write(packet.toByteArray());
        out.flush();
    }

    private int nextPacketId() {
        int id = nextPacketId;
        nextPacketId = nextPacketId == 0xFFFF ? 1 : nextPacketId + 1;
        return id;
    }

    private static void writeString(ByteArrayOutputStream target, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        writeShort(target, bytes.length);
        target.write(bytes, 0, bytes.length);
    }

    private static void writeShort(ByteArrayOutputStream target, int value) {
        target.write(value >>> 8);
        target.write(value & 0xFF);
    }
}
