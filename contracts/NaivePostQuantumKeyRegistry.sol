// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title The original registry design, kept only as a gas baseline
/// @notice Stores each device's whole ML-KEM-768 (1184 B) and ML-DSA-65 (1952 B) public keys on chain.
///         NOT used by the gateway: PostQuantumKeyRegistry stores a 32-byte commitment instead, and the
///         integration tests compare what both cost.
contract NaivePostQuantumKeyRegistry {
    /// @notice ML-KEM-768 encapsulation key length (FIPS 203).
    uint256 public constant KEM_PUBLIC_KEY_LENGTH = 1184;
    /// @notice ML-DSA-65 public key length (FIPS 204).
    uint256 public constant SIG_PUBLIC_KEY_LENGTH = 1952;

    /// @notice A device's keys as they were stored on chain.
    struct DeviceKeys {
        bytes kemPublicKey;
        bytes sigPublicKey;
        address gateway;
        bool active;
    }

    /// @notice A device's keys were stored.
    /// @param deviceIdHash keccak256(UTF8(deviceId))
    /// @param gateway the registering account
    event DeviceKeysRegistered(bytes32 indexed deviceIdHash, address indexed gateway);

    /// @notice A device's keys were revoked.
    /// @param deviceIdHash keccak256(UTF8(deviceId))
    /// @param gateway the revoking account
    event DeviceKeysDeactivated(bytes32 indexed deviceIdHash, address indexed gateway);

    /// @notice The caller is neither the owner nor an authorized gateway.
    error NotAuthorized(address caller);
    /// @notice A key of the wrong length.
    error InvalidKeyLength(uint256 kemLength, uint256 sigLength);
    /// @notice The device already has active keys.
    error DeviceAlreadyActive(bytes32 deviceIdHash);
    /// @notice The device has no active keys.
    error DeviceNotActive(bytes32 deviceIdHash);

    /// @notice The account that authorizes gateways.
    address public immutable owner;
    /// @notice Accounts allowed to register and deactivate.
    mapping(address => bool) public authorizedGateways;
    mapping(bytes32 => DeviceKeys) private _devices;

    /// @notice Makes the deployer the owner.
    constructor() {
        owner = msg.sender;
    }

    /// @notice Allows an account to register and deactivate devices. Owner only.
    /// @param gateway the account
    function authorizeGateway(address gateway) external {
        if (msg.sender != owner) revert NotAuthorized(msg.sender);
        authorizedGateways[gateway] = true;
    }

    /// @notice Stores a device's full public keys. Authorized gateways only.
    /// @param deviceIdHash keccak256(UTF8(deviceId))
    /// @param kemPublicKey the 1184-byte ML-KEM-768 encapsulation key
    /// @param sigPublicKey the 1952-byte ML-DSA-65 public key
    function registerDevice(bytes32 deviceIdHash, bytes calldata kemPublicKey, bytes calldata sigPublicKey) external {
        if (!authorizedGateways[msg.sender]) revert NotAuthorized(msg.sender);
        if (kemPublicKey.length != KEM_PUBLIC_KEY_LENGTH || sigPublicKey.length != SIG_PUBLIC_KEY_LENGTH) {
            revert InvalidKeyLength(kemPublicKey.length, sigPublicKey.length);
        }
        if (_devices[deviceIdHash].active) revert DeviceAlreadyActive(deviceIdHash);
        _devices[deviceIdHash] = DeviceKeys(kemPublicKey, sigPublicKey, msg.sender, true);
        emit DeviceKeysRegistered(deviceIdHash, msg.sender);
    }

    /// @notice Revokes a device's keys (they stay readable). Authorized gateways or the owner.
    /// @param deviceIdHash keccak256(UTF8(deviceId))
    function deactivateDevice(bytes32 deviceIdHash) external {
        if (msg.sender != owner && !authorizedGateways[msg.sender]) revert NotAuthorized(msg.sender);
        if (!_devices[deviceIdHash].active) revert DeviceNotActive(deviceIdHash);
        _devices[deviceIdHash].active = false;
        emit DeviceKeysDeactivated(deviceIdHash, msg.sender);
    }

    /// @notice A device's stored keys.
    /// @param deviceIdHash keccak256(UTF8(deviceId))
    /// @return kemPublicKey the ML-KEM-768 key (empty if never registered)
    /// @return sigPublicKey the ML-DSA-65 key (empty if never registered)
    /// @return active whether the keys are in force
    function getDevice(bytes32 deviceIdHash)
        external
        view
        returns (bytes memory kemPublicKey, bytes memory sigPublicKey, bool active)
    {
        DeviceKeys storage keys = _devices[deviceIdHash];
        return (keys.kemPublicKey, keys.sigPublicKey, keys.active);
    }
}
