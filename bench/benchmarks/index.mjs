// The benchmarks, in the order `npm run bench` runs them. Each takes { quick, log } and resolves with result rows.
export const BENCHMARKS = {
  'connect-sequential': () => import('./connect.mjs').then((m) => m.connectSequential),
  'connect-concurrent': () => import('./connect.mjs').then((m) => m.connectConcurrent),
  'he-hanging-first': () => import('./happyEyeballs.mjs').then((m) => m.hangingFirst),
  'he-slow-first': () => import('./happyEyeballs.mjs').then((m) => m.slowFirst),
  'channel-throughput': () => import('./channel.mjs').then((m) => m.channelThroughput),
  'lines-throughput': () => import('./channel.mjs').then((m) => m.linesThroughput),
  'lines-crlf-throughput': () => import('./channel.mjs').then((m) => m.crlfLinesThroughput),
  'lines-crlf-long-throughput': () => import('./channel.mjs').then((m) => m.longCrlfLinesThroughput),
  'tls-connect': () => import('./tls.mjs').then((m) => m.tlsConnect),
  'tls-throughput': () => import('./tls.mjs').then((m) => m.tlsThroughput),
  'fetch-connector': () => import('./fetch.mjs').then((m) => m.fetchConnector),
  'fetch-he': () => import('./fetch.mjs').then((m) => m.fetchHe),
  'memory-per-connection': () => import('./memory.mjs').then((m) => m.memoryPerConnection),
  'scan-rate': () => import('./scan.mjs').then((m) => m.scanRate),
  'scan-memory': () => import('./scan.mjs').then((m) => m.scanMemory),
  'virtual-connects': () => import('./virtual.mjs').then((m) => m.virtualConnects),
};
