// The certificates live in scripts/ so that the benchmarks make theirs the same way.
export { testCertificates } from '../../scripts/testCertificates.mjs';
export type { KeyAndCert, TestCertificates } from '../../scripts/testCertificates.mjs';
