package org.iomtpq.gateway.chain;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import org.iomtpq.gateway.config.GatewaySettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.CipherException;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Sign;
import org.web3j.crypto.WalletUtils;

/**
 * The gateway's Ethereum account (secp256k1 key). The key stays inside: no getter hands it out publicly and
 * {@link #toString()} shows the address only.
 */
public final class EthAccount {

    private static final Logger LOG = LoggerFactory.getLogger(EthAccount.class);

    /** Anvil's dev account #0 (public knowledge: its default mnemonic). Funded on every fresh Anvil. */
    static final String ANVIL_DEV_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    /** Ganache 7 {@code --wallet.deterministic} account #0 (public knowledge). */
    static final String GANACHE_DEV_KEY_0 = "0x4f3edf983ac636a65a842ce7c78d9aa706d3b113bce9c46f30d7d21715b23b1d";

    private final Credentials credentials;
    private final String address;

    private EthAccount(Credentials credentials) {
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.address = credentials.getAddress().toLowerCase(Locale.ROOT);
    }

    /**
     * The one rule for "embedded profile" (dev keys allowed): the node is on loopback (127.0.0.1 / localhost)
     * AND the chain id is a dev chain's (31337 Anvil, 1337 Ganache). A real network never matches both.
     */
    public static boolean isEmbeddedProfile(ChainSettings chain) {
        return chain.isLoopback() && (chain.chainId() == 31337 || chain.chainId() == 1337);
    }

    /**
     * From {@code iomt.eth.private-key} (0x hex), else {@code iomt.eth.keystore-file} + {@code iomt.eth.keystore-password}
     * (a web3j/geth JSON keystore), else — in the embedded profile only — the dev chain's well-known account #0.
     *
     * @throws IllegalStateException when none applies, or the key / keystore is unusable
     */
    public static EthAccount fromSettings(GatewaySettings s, boolean embeddedProfile) {
        if (s.isSet("iomt.eth.private-key")) {
            return fromPrivateKey(s.get("iomt.eth.private-key"));
        }
        if (s.isSet("iomt.eth.keystore-file")) {
            return fromKeystore(Path.of(s.get("iomt.eth.keystore-file")), s.getOrEmpty("iomt.eth.keystore-password"));
        }
        if (!embeddedProfile) {
            throw new IllegalStateException("no Ethereum account configured: set IOMT_ETH_PRIVATE_KEY (0x + 64 hex digits) "
                    + "or iomt.eth.keystore-file with IOMT_ETH_KEYSTORE_PASSWORD (dev keys are only used on a local "
                    + "dev chain: rpc-url on 127.0.0.1/localhost and chain id 31337 or 1337)");
        }
        boolean ganache = s.isSet("iomt.chain-id") && s.getLong("iomt.chain-id") == 1337;
        LOG.warn("*** USING THE PUBLICLY KNOWN {} DEV ACCOUNT #0 AS THE GATEWAY'S ETHEREUM KEY: anyone can spend from it. "
                + "Local dev chain only; set IOMT_ETH_PRIVATE_KEY for anything else. ***", ganache ? "GANACHE" : "ANVIL");
        return fromPrivateKey(ganache ? GANACHE_DEV_KEY_0 : ANVIL_DEV_KEY_0);
    }

    /** From a raw secp256k1 private key as hex (0x prefix optional, 64 digits). */
    public static EthAccount fromPrivateKey(String hex) {
        String digits = Objects.requireNonNull(hex, "hex").trim();
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            digits = digits.substring(2);
        }
        if (!digits.matches("[0-9a-fA-F]{64}")) {
            // Never echo the value: it may be a key with a typo.
            throw new IllegalStateException("iomt.eth.private-key must be 0x followed by 64 hex digits");
        }
        BigInteger key = new BigInteger(digits, 16);
        if (key.signum() == 0 || key.compareTo(Sign.CURVE_PARAMS.getN()) >= 0) {
            throw new IllegalStateException("iomt.eth.private-key is not a valid secp256k1 private key");
        }
        return new EthAccount(Credentials.create(digits));
    }

    /** From a JSON keystore file (scrypt/pbkdf2 + AES, as geth and web3j write them). */
    public static EthAccount fromKeystore(Path file, String password) {
        if (!Files.isReadable(file)) {
            throw new IllegalStateException("iomt.eth.keystore-file " + file + " is not readable");
        }
        try {
            return new EthAccount(WalletUtils.loadCredentials(password, file.toFile()));
        } catch (CipherException e) {
            throw new IllegalStateException("cannot decrypt keystore " + file + " (wrong iomt.eth.keystore-password?)", e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read keystore " + file + ": " + e.getMessage(), e);
        }
    }

    /** Wraps existing web3j credentials (tests, dev accounts of {@link LocalEthNode.Kind}). */
    public static EthAccount of(Credentials credentials) {
        return new EthAccount(credentials);
    }

    /** 0x + 40 lowercase hex digits. */
    public String address() {
        return address;
    }

    /** Package-private on purpose: only this package signs. */
    Credentials credentials() {
        return credentials;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EthAccount other && other.address.equals(address);
    }

    @Override
    public int hashCode() {
        return address.hashCode();
    }

    @Override
    public String toString() {
        return "EthAccount[" + address + "]";
    }
}
