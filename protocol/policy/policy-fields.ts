// The top-level fields of a current-format Veracruz policy, shared by the parser (which refuses
// unknown fields) and the legacy-format check (which names the current fields a file lacks).

/** The top-level fields of the current format (Veracruz's `Policy` struct). */
export const POLICY_FIELDS: readonly string[] = [
  'ciphersuite',
  'debug',
  'enable_clock',
  'enclave_cert_expiry',
  'execution_strategy',
  'file_hashes',
  'identities',
  'max_memory_mib',
  'native_modules',
  'pipelines',
  'programs',
  'proxy_attestation_server_url',
  'proxy_service_cert',
  'runtime_manager_hash_linux',
  'runtime_manager_hash_nitro',
  'runtime_manager_hash_sevsnp',
  'veracruz_server_url',
];
