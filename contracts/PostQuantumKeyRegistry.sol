// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IPostQuantumKeyRegistry} from "./IPostQuantumKeyRegistry.sol";

/// @title Post-quantum key registry: one 32-byte commitment per device instead of 3 KiB of public keys
/// @notice Implements PROTOCOL.md §9. An owner authorizes gateway accounts; authorized gateways register,
///         rotate and deactivate device key commitments and anchor their audit streams.
/// @dev Storage is shaped for gas: registering a new device writes exactly one new slot
///      (`_commitmentOf`). Commitments are only written to `_retired` when they leave service (rotation or
///      deactivation), so a device is active iff its current commitment is non-zero and not retired, and a
///      device whose slot is zero was never registered and needs no history lookup.
contract PostQuantumKeyRegistry is IPostQuantumKeyRegistry {
    /// @notice Last anchored range of one audit stream; both fields share one slot.
    struct StreamAnchor {
        address gateway; // the account that anchored the stream first: the only one that may extend it
        uint64 lastSeq; // 0 = never anchored
    }

    /// @notice Ownership moved (also emitted by the constructor, from the zero address).
    /// @param previousOwner the former owner
    /// @param newOwner the new owner
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    /// @notice The account that authorizes and removes gateways.
    address public owner;

    /// @dev A gateway is authorized iff its key hash is non-zero (authorizeGateway refuses zero), which keeps
    ///      the authorization check of every gateway call down to one storage read.
    mapping(address gateway => bytes32 kemKeyHash) private _gatewayKemKeyHash;

    /// @dev The last commitment ever registered per device, kept after deactivation (getDeviceKey reports it).
    mapping(bytes32 deviceIdHash => bytes32 keyCommitment) private _commitmentOf;

    /// @dev Commitments that left service (rotated away or deactivated); they can never be registered again.
    mapping(bytes32 deviceIdHash => mapping(bytes32 keyCommitment => bool)) private _retired;

    /// @dev Per audit stream: who anchors it and up to which sequence number (one slot per stream).
    mapping(bytes32 streamIdHash => StreamAnchor) private _streams;

    /// @notice Makes the deployer the owner.
    constructor() {
        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
    }

    /// @dev Reverts with NotOwner unless the caller is the owner.
    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    /// @dev Reverts with NotAuthorizedGateway unless the caller is an authorized gateway.
    modifier onlyAuthorizedGateway() {
        if (_gatewayKemKeyHash[msg.sender] == bytes32(0)) revert NotAuthorizedGateway(msg.sender);
        _;
    }

    // ------------------------------------------------------------------ ownership

    /// @notice Hands the registry to another account. Owner only; single step, so check the address twice.
    /// @param newOwner the new owner (not zero)
    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    // ------------------------------------------------------------------ gateways

    /// @inheritdoc IPostQuantumKeyRegistry
    function authorizeGateway(address gateway, bytes32 kemKeyHash) external onlyOwner {
        if (gateway == address(0)) revert ZeroAddress();
        if (kemKeyHash == bytes32(0)) revert ZeroValue();
        _gatewayKemKeyHash[gateway] = kemKeyHash;
        emit GatewayAuthorized(gateway, kemKeyHash);
    }

    /// @inheritdoc IPostQuantumKeyRegistry
    function removeGateway(address gateway) external onlyOwner {
        if (_gatewayKemKeyHash[gateway] == bytes32(0)) revert UnknownGateway(gateway);
        delete _gatewayKemKeyHash[gateway];
        emit GatewayRemoved(gateway);
    }

    /// @inheritdoc IPostQuantumKeyRegistry
    function gatewayKey(address gateway) external view returns (bytes32 kemKeyHash, bool authorized) {
        kemKeyHash = _gatewayKemKeyHash[gateway];
        authorized = kemKeyHash != bytes32(0);
    }

    // ------------------------------------------------------------------ device keys

    /// @inheritdoc IPostQuantumKeyRegistry
    function registerDeviceKey(bytes32 deviceIdHash, bytes32 keyCommitment) external onlyAuthorizedGateway {
        _register(deviceIdHash, keyCommitment);
    }

    /// @inheritdoc IPostQuantumKeyRegistry
    function registerDeviceKeys(bytes32[] calldata deviceIdHashes, bytes32[] calldata keyCommitments)
        external
        onlyAuthorizedGateway
    {
        uint256 count = deviceIdHashes.length;
        if (count != keyCommitments.length) revert LengthMismatch(count, keyCommitments.length);
        if (count == 0) revert EmptyBatch();
        for (uint256 i = 0; i < count; ) {
            _register(deviceIdHashes[i], keyCommitments[i]);
            unchecked {
                ++i; // bounded by calldata length
            }
        }
    }

    /// @inheritdoc IPostQuantumKeyRegistry
    function rotateDeviceKey(bytes32 deviceIdHash, bytes32 newKeyCommitment) external onlyAuthorizedGateway {
        if (newKeyCommitment == bytes32(0)) revert ZeroValue();
        bytes32 current = _requireActive(deviceIdHash);
        // The current commitment is not yet retired, so it needs its own check.
        if (newKeyCommitment == current || _retired[deviceIdHash][newKeyCommitment]) {
            revert CommitmentAlreadyUsed(deviceIdHash, newKeyCommitment);
        }
        _retired[deviceIdHash][current] = true;
        _commitmentOf[deviceIdHash] = newKeyCommitment;
        emit KeyRegistered(deviceIdHash, newKeyCommitment, msg.sender);
    }

    /// @inheritdoc IPostQuantumKeyRegistry
    function deactivateKey(bytes32 deviceIdHash) external {
        // Owner as well as gateways: the operator must be able to revoke a device even if every gateway is lost.
        if (msg.sender != owner && _gatewayKemKeyHash[msg.sender] == bytes32(0)) {
            revert NotAuthorizedGateway(msg.sender);
        }
        bytes32 current = _requireActive(deviceIdHash);
        _retired[deviceIdHash][current] = true;
        emit KeyDeactivated(deviceIdHash, msg.sender);
    }

    /// @inheritdoc IPostQuantumKeyRegistry
    function getDeviceKey(bytes32 deviceIdHash) external view returns (bytes32 keyCommitment, bool active) {
        keyCommitment = _commitmentOf[deviceIdHash];
        active = keyCommitment != bytes32(0) && !_retired[deviceIdHash][keyCommitment];
    }

    // ------------------------------------------------------------------ audit anchors

    /// @inheritdoc IPostQuantumKeyRegistry
    function anchorAudit(bytes32 streamIdHash, uint64 firstSeq, uint64 lastSeq, bytes32 merkleRoot)
        external
        onlyAuthorizedGateway
    {
        if (streamIdHash == bytes32(0) || merkleRoot == bytes32(0)) revert ZeroValue();
        if (lastSeq < firstSeq) revert InvalidAnchorRange(firstSeq, lastSeq);
        StreamAnchor memory anchor = _streams[streamIdHash];
        if (anchor.gateway != address(0) && anchor.gateway != msg.sender) {
            revert StreamOwnedByAnotherGateway(streamIdHash, anchor.gateway);
        }
        // uint256 so that a stream anchored up to 2^64 - 1 reports NonContiguousAnchor, not an overflow panic.
        uint256 expected = uint256(anchor.lastSeq) + 1;
        if (firstSeq != expected) revert NonContiguousAnchor(streamIdHash, uint64(expected), firstSeq);
        _streams[streamIdHash] = StreamAnchor({gateway: msg.sender, lastSeq: lastSeq});
        emit AuditAnchored(msg.sender, streamIdHash, firstSeq, lastSeq, merkleRoot);
    }

    /// @notice Where an audit stream's anchoring stands, so a restarted gateway knows where to continue.
    /// @param streamIdHash keccak256(UTF8(stream))
    /// @return gateway the account that owns the stream (zero if never anchored)
    /// @return lastSeq the last anchored sequence number (zero if never anchored)
    function streamAnchor(bytes32 streamIdHash) external view returns (address gateway, uint64 lastSeq) {
        StreamAnchor memory anchor = _streams[streamIdHash];
        return (anchor.gateway, anchor.lastSeq);
    }

    // ------------------------------------------------------------------ internals

    /// @dev One registration under the §9 rules. A zero slot means "never registered": no history lookup,
    ///      which keeps a first registration at a single new storage slot.
    function _register(bytes32 deviceIdHash, bytes32 keyCommitment) private {
        if (deviceIdHash == bytes32(0) || keyCommitment == bytes32(0)) revert ZeroValue();
        bytes32 current = _commitmentOf[deviceIdHash];
        if (current != bytes32(0)) {
            mapping(bytes32 => bool) storage retired = _retired[deviceIdHash];
            if (!retired[current]) revert DeviceAlreadyActive(deviceIdHash);
            if (retired[keyCommitment]) revert CommitmentAlreadyUsed(deviceIdHash, keyCommitment);
        }
        _commitmentOf[deviceIdHash] = keyCommitment;
        emit KeyRegistered(deviceIdHash, keyCommitment, msg.sender);
    }

    /// @dev The device's current commitment; reverts with UnknownDevice or DeviceNotActive otherwise.
    function _requireActive(bytes32 deviceIdHash) private view returns (bytes32 current) {
        current = _commitmentOf[deviceIdHash];
        if (current == bytes32(0)) revert UnknownDevice(deviceIdHash);
        if (_retired[deviceIdHash][current]) revert DeviceNotActive(deviceIdHash);
    }
}
