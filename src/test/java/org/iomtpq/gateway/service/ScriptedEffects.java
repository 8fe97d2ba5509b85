package org.iomtpq.gateway.service;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.iomtpq.gateway.store.OutboxEntry;

/** Local effects for the relay's unit tests: what a test says about devices, and a log of what the relay reported. */
final class ScriptedEffects implements OutboxEffects {

    /** Entry ids the chain already has (another gateway, a lost receipt). */
    final Set<String> alreadyOnChain = new HashSet<>();
    /** Device ids whose local state moved on (revoked before the registration went out). */
    final Set<String> movedOn = new HashSet<>();

    final Map<String, String> submitted = new LinkedHashMap<>();
    /** "deviceId op txHash", in the order reported; txHash "null" when found on chain. */
    final List<String> confirmed = new ArrayList<>();
    final List<String> reverted = new ArrayList<>();
    final List<String> cancelled = new ArrayList<>();

    @Override
    public Optional<String> reasonToSkip(OutboxEntry e) {
        return movedOn.contains(e.deviceId()) ? Optional.of("moved on") : Optional.empty();
    }

    @Override
    public boolean alreadyOnChain(OutboxEntry e) {
        return alreadyOnChain.contains(e.id());
    }

    @Override
    public void submitted(OutboxEntry e, String txHash) {
        submitted.put(e.id(), txHash);
    }

    @Override
    public List<DeviceNotification> confirmed(OutboxEntry e, String txHash) {
        confirmed.add(e.deviceId() + " " + e.op() + " " + txHash);
        return List.of(new DeviceNotification(e.deviceId(), "{\"status\":\"ACTIVE\",\"txHash\":\"" + txHash + "\"}"));
    }

    @Override
    public List<DeviceNotification> reverted(OutboxEntry e, String reason) {
        reverted.add(e.deviceId() + " " + e.op());
        return List.of();
    }

    @Override
    public List<DeviceNotification> cancelled(OutboxEntry e) {
        cancelled.add(e.deviceId() + " " + e.op());
        return List.of();
    }

    List<String> confirmedDevices() {
        return confirmed.stream().map(c -> c.substring(0, c.indexOf(' '))).toList();
    }
}
