// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title On-chain registry of post-quantum device key commitments (IoMT-PQ wire protocol v1, §9)
/// @notice The chain never sees a post-quantum public key: it holds 32-byte commitments
///         `keccak256(kemPublicKey || sigPublicKey)` per `deviceIdHash = keccak256(UTF8(deviceId))`,
///         the ML-KEM key hash of every authorized gateway account, and Merkle roots anchoring each
///         gateway instance's audit stream.
/// @dev The functions and events below are the normative external interface (PROTOCOL.md §9); the custom
///      errors are part of this project's ABI so that clients can tell reverts apart by selector.
interface IPostQuantumKeyRegistry {
    // ------------------------------------------------------------------ events (normative)

    /// @notice A gateway account was authorized, or re-authorized with a (possibly new) ML-KEM key hash.
    /// @param gateway the gateway account
    /// @param kemKeyHash keccak256 of the gateway's static ML-KEM-768 public key
    event GatewayAuthorized(address indexed gateway, bytes32 kemKeyHash);

    /// @notice A gateway account lost its authorization.
    /// @param gateway the gateway account
    event GatewayRemoved(address indexed gateway);

    /// @notice A key commitment became the active one of a device, by registration or rotation.
    /// @param deviceIdHash keccak256(UTF8(deviceId))
    /// @param keyCommitment keccak256(kemPublicKey || sigPublicKey)
    /// @param gateway the gateway account that registered it
    event KeyRegistered(bytes32 indexed deviceIdHash, bytes32 keyCommitment, address indexed gateway);

    /// @notice A device's active key commitment was revoked.
    /// @param deviceIdHash keccak256(UTF8(deviceId))
    /// @param gateway the account (gateway or owner) that revoked it
    event KeyDeactivated(bytes32 indexed deviceIdHash, address indexed gateway);

    /// @notice A contiguous range of an audit stream was anchored.
    /// @param gateway the gateway account that anchored it
    /// @param streamIdHash keccak256(UTF8(stream))
    /// @param firstSeq first sequence number covered (inclusive)
    /// @param lastSeq last sequence number covered (inclusive)
    /// @param merkleRoot RFC 6962 Merkle tree hash over the entry hashes firstSeq..lastSeq
    event AuditAnchored(
        address indexed gateway, bytes32 indexed streamIdHash, uint64 firstSeq, uint64 lastSeq, bytes32 merkleRoot
    );

    // ------------------------------------------------------------------ errors

    /// @notice The caller is not the registry owner.
    error NotOwner(address caller);
    /// @notice The caller is not an authorized gateway (nor, where that is allowed, the owner).
    error NotAuthorizedGateway(address caller);
    /// @notice `removeGateway` named an account that is not authorized.
    error UnknownGateway(address gateway);
    /// @notice The zero address was given where an account is required.
    error ZeroAddress();
    /// @notice A zero hash was given where a device id hash, commitment, key hash, stream hash or root is required.
    error ZeroValue();
    /// @notice The device already has an active commitment: rotate it instead of registering again.
    error DeviceAlreadyActive(bytes32 deviceIdHash);
    /// @notice No commitment was ever registered for the device.
    error UnknownDevice(bytes32 deviceIdHash);
    /// @notice The device's last commitment was deactivated.
    error DeviceNotActive(bytes32 deviceIdHash);
    /// @notice The device already had this commitment once: a retired key never comes back.
    error CommitmentAlreadyUsed(bytes32 deviceIdHash, bytes32 keyCommitment);
    /// @notice The two arrays of a batch registration differ in length.
    error LengthMismatch(uint256 deviceIdHashes, uint256 keyCommitments);
    /// @notice A batch registration without any device.
    error EmptyBatch();
    /// @notice An anchor whose `lastSeq` is below its `firstSeq`.
    error InvalidAnchorRange(uint64 firstSeq, uint64 lastSeq);
    /// @notice An anchor that does not start right after the stream's last anchored sequence number.
    error NonContiguousAnchor(bytes32 streamIdHash, uint64 expectedFirstSeq, uint64 firstSeq);
    /// @notice The stream was first anchored by another gateway account, which alone may extend it.
    error StreamOwnedByAnotherGateway(bytes32 streamIdHash, address anchoringGateway);

    // ------------------------------------------------------------------ functions (normative)

    /// @notice Authorizes a gateway account, or changes the ML-KEM key hash of an authorized one. Owner only.
    /// @dev Emits GatewayAuthorized on every call, so re-authorization is visible to event consumers.
    /// @param gateway the gateway account (not zero)
    /// @param kemKeyHash keccak256 of the gateway's static ML-KEM-768 public key (not zero)
    function authorizeGateway(address gateway, bytes32 kemKeyHash) external;

    /// @notice Revokes a gateway account's authorization and forgets its key hash. Owner only.
    /// @param gateway an authorized gateway account
    function removeGateway(address gateway) external;

    /// @notice The ML-KEM key hash a gateway account was authorized with.
    /// @param gateway any account
    /// @return kemKeyHash the key hash, or zero for an account that is not authorized
    /// @return authorized whether the account is currently authorized
    function gatewayKey(address gateway) external view returns (bytes32 kemKeyHash, bool authorized);

    /// @notice Registers a device's key commitment. Authorized gateways only.
    /// @dev Reverts for an active device (use rotateDeviceKey); a deactivated device may be registered
    ///      anew with a commitment it never had.
    /// @param deviceIdHash keccak256(UTF8(deviceId)) (not zero)
    /// @param keyCommitment keccak256(kemPublicKey || sigPublicKey) (not zero)
    function registerDeviceKey(bytes32 deviceIdHash, bytes32 keyCommitment) external;

    /// @notice Registers many devices at once, each under the registerDeviceKey rules; all or nothing.
    /// @param deviceIdHashes the devices (non-empty)
    /// @param keyCommitments their commitments, same length and order
    function registerDeviceKeys(bytes32[] calldata deviceIdHashes, bytes32[] calldata keyCommitments) external;

    /// @notice Replaces an active device's commitment by one it never had. Authorized gateways only.
    /// @dev Emits KeyRegistered with the new commitment; the old one is retired for good.
    /// @param deviceIdHash an active device
    /// @param newKeyCommitment the new commitment (not zero, never used by this device)
    function rotateDeviceKey(bytes32 deviceIdHash, bytes32 newKeyCommitment) external;

    /// @notice Revokes a device's active commitment. Authorized gateways or the owner.
    /// @param deviceIdHash an active device
    function deactivateKey(bytes32 deviceIdHash) external;

    /// @notice A device's last registered commitment and whether it is active.
    /// @param deviceIdHash any device id hash
    /// @return keyCommitment the last commitment (still reported after deactivation), zero if never registered
    /// @return active whether that commitment is in force
    function getDeviceKey(bytes32 deviceIdHash) external view returns (bytes32 keyCommitment, bool active);

    /// @notice Anchors the Merkle root of a contiguous range of an audit stream. Authorized gateways only.
    /// @dev The first anchor of a stream starts at 1, each next one at the previous lastSeq + 1. A stream
    ///      belongs to one gateway instance: the account that anchored it first is the only one that may
    ///      extend it.
    /// @param streamIdHash keccak256(UTF8(stream)) (not zero)
    /// @param firstSeq first sequence number covered
    /// @param lastSeq last sequence number covered (>= firstSeq)
    /// @param merkleRoot RFC 6962 Merkle tree hash of the range (not zero)
    function anchorAudit(bytes32 streamIdHash, uint64 firstSeq, uint64 lastSeq, bytes32 merkleRoot) external;
}
