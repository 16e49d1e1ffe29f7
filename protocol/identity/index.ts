// Public API of protocol/identity: keys, X.509 certificates, identities on disk.
export { IdentityError } from './errors.js';
export {
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generateKeyPair,
  importPrivateKeyPem,
  importPublicKeyPem,
  keyAlgorithmOf,
  publicKeyDerOfPrivatePem,
  signingAlgorithmFor,
  type KeyAlgorithmName,
} from './keys.js';
export {
  certificateFingerprint,
  certificateKeyAlgorithm,
  certificateToPem,
  checkCertificateValidity,
  commonNameOf,
  createCaCertificate,
  createSelfSignedCertificate,
  isCaCertificate,
  isCertificateValidAt,
  issueCertificate,
  parseCertificatePem,
  randomSerialNumber,
  verifyIssuedBy,
  type CertificateTimeOptions,
  type IssueCertificateParams,
  type RandomBytes,
  type SubjectName,
  type X509Certificate,
} from './certificates.js';
export {
  createIdentity,
  identityFileNames,
  identityFromPem,
  loadIdentity,
  writeIdentityFiles,
  type GeneratedIdentity,
  type Identity,
  type NewIdentityOptions,
} from './identity.js';
export { nodeCrypto, x509 } from './x509-provider.js';
