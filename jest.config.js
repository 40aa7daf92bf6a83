/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  // Specs (and the README's example specs) import 'rxconnect' as users do: map it to the sources, so the suite
  // needs no build (on a fresh clone there is no dist/ to resolve the package's self-reference).
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^rxconnect$': '<rootDir>/src/index.ts',
    '^rxconnect/testing$': '<rootDir>/src/testing/index.ts',
    '^rxconnect/http$': '<rootDir>/src/http/index.ts',
  },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }] },
  testTimeout: 20000,
  reporters: ['default', '<rootDir>/scripts/summary-reporter.mjs'],
};
