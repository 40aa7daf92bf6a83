import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError as CommanderInvalidArgument, Option } from 'commander';
import { demo } from './demo.js';
import type { CliIo } from './io.js';
import { visible } from './escape.js';
import { PROBE_INTERVAL, probe } from './probe.js';
import { SCAN_CONCURRENCY, SCAN_TIMEOUT, rateOption, scan, shardOption, topOption } from './scan.js';
import type { Shard } from './scanTargets.js';
import { serve } from './serve.js';
import { probeTls, serveTls } from './tlsFlags.js';
import type { ProbeTlsFlags, ServeTlsFlags } from './tlsFlags.js';
import { isUrlTarget } from './url.js';
import { defineWait, splitWaitCommand } from './wait.js';
import { EXIT, UsageError, oneLine } from './usage.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The longest delay a timer can wait, in ms (2^31 − 1, about 24.8 days). */
export const MAX_DELAY = 2_147_483_647;

function milliseconds(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > MAX_DELAY) {
    throw new CommanderInvalidArgument(`expected a whole number of milliseconds from 0 to ${MAX_DELAY}`);
  }
  return Number(value);
}

// RFC 8305's limits for the delay between attempts. The library clamps a value outside them (docs/design.md);
// the command refuses it instead, since the user typed a number and would not see it changed.
const ATTEMPT_DELAY_RANGE = [10, 2000] as const;

function attemptDelay(value: string): number {
  const [min, max] = ATTEMPT_DELAY_RANGE;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new CommanderInvalidArgument(`expected a whole number of milliseconds from ${min} to ${max} (RFC 8305's limits)`);
  }
  return Number(value);
}

function positive(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new CommanderInvalidArgument('expected a whole number of 1 or more');
  return Number(value);
}

function protocolList(value: string): string[] {
  const list = value.split(',').map((name) => name.trim());
  if (list.some((name) => name === '')) throw new CommanderInvalidArgument('expected protocol names separated by commas, such as h2,http/1.1');
  return list;
}

type ConnectFlags = {
  strategy?: 'happy-eyeballs' | 'sequential';
  attemptDelay?: number;
  attemptTimeout?: number;
  timeout?: number;
  family?: '4' | '6';
  json?: boolean;
};

const EXAMPLES = `
Examples:
  rxconnect probe localhost:8080 '[::1]:22' example.com:https
  rxconnect probe example.com:80 --strategy sequential --attempt-timeout 2000 --json
  rxconnect probe --tls example.com:443 --alpn h2,http/1.1
  rxconnect probe https://example.com/ --timeout 5000
  rxconnect probe localhost:5432 --count 10 --interval 200
  rxconnect scan hosts.txt --concurrency 32 --timeout 3000
  rxconnect scan 127.0.0.1:1-1024 --open
  rxconnect scan 10.0.0.0/24 --top 100 --rate 500 --jsonl
  rxconnect wait localhost:5432 --timeout 30s -- node server.js
  rxconnect wait http://localhost:8080/health tls://localhost:8443 --status 200,204
  rxconnect wait --reverse localhost:8080 --timeout 10s
  rxconnect serve 9900 --time
  rxconnect serve 8443 --tls --key key.pem --cert cert.pem
  rxconnect demo

Exit codes: 0 every target connected, 1 some target failed, 2 usage error, 130 Ctrl-C
(wait: 1 timed out, the command's status after --; serve: 0 after Ctrl-C, 1 cannot listen;
see each command's --help).`;

/**
 * Runs the `rxconnect` command with `argv` (the arguments after the program name) against `io`, and resolves
 * with the exit code: 0 success, 1 a target failed (or a server could not listen), 2 a usage error. Usage
 * errors print one line on stderr, never a stack trace.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  let current = 'rxconnect';
  const configure = (command: Command, name: string): Command =>
    command.exitOverride().configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
      outputError: (text, write) => {
        const message = visible(oneLine(text.replace(/^error: /, '')));
        write(`${name}: ${message}${message.includes('Did you mean') ? '' : ` (see ${name} --help)`}\n`);
      },
    });

  const program = configure(new Command('rxconnect'), 'rxconnect')
    .description('Reactive TCP connects: probe, scan and wait for hosts with Happy Eyeballs, serve, or watch the demo.')
    .version(version(), '-V, --version')
    .showSuggestionAfterError(true)
    .addHelpText('after', EXAMPLES);

  const connectOptions = (command: Command): Command =>
    command
      .addOption(new Option('--strategy <name>', 'how addresses are tried').choices(['happy-eyeballs', 'sequential']).default('happy-eyeballs'))
      .option('--attempt-delay <ms>', 'happy-eyeballs: ms between staggered attempts (10 to 2000)', attemptDelay)
      .option('--attempt-timeout <ms>', 'ms after which one attempt gives up and the next one starts', milliseconds)
      .addOption(new Option('--family <n>', 'only IPv4 or only IPv6 addresses').choices(['4', '6']));
  const settings = (flags: ConnectFlags) => ({
    strategy: flags.strategy,
    attemptDelay: flags.attemptDelay,
    attemptTimeout: flags.attemptTimeout,
    family: flags.family === undefined ? undefined : (Number(flags.family) as 4 | 6),
    timeout: flags.timeout,
    json: flags.json,
  });

  connectOptions(configure(program.command('probe'), 'rxconnect probe'))
    .description('connect to each TARGET, draw its timeline (lookups, attempts, winner), then close; a URL also makes one GET request')
    .argument('<target...>', 'host:port, [ipv6]:port, host:service, or an http:// or https:// URL')
    .option('--timeout <ms>', 'give up on a target after this many ms, a URL\'s response included (default: no limit)', milliseconds)
    .option('--json', 'print one JSON document instead of timelines')
    .option('--tls', 'connect with TLS: the handshake runs on the address that won the TCP race')
    .option('--servername <name>', 'with --tls or https://: the name sent by SNI and checked in the certificate (default: the host)')
    .option('--alpn <list>', 'with --tls: protocols to offer by ALPN, comma-separated (h2,http/1.1)', protocolList)
    .option('--ca <file>', "with --tls or https://: trust the CA certificates of this PEM file instead of Node's bundled ones")
    .option('--insecure', 'with --tls or https://: connect even when the certificate does not verify')
    .option('--count <n>', 'probe each target N times: a line per run, then min/median/max per phase (as ping)', positive)
    .option('--interval <ms>', `with --count: ms between runs (default: ${PROBE_INTERVAL})`, milliseconds)
    .option('--no-history', 'with --count: every run starts cold, without the connect history of the runs before')
    .addHelpText('after', '\nExit codes: 0 every target connected and every URL got a response (any status),\n1 some target failed or a URL got no response, 2 usage error, 130 stopped by Ctrl-C (--count).')
    .action(async (targets: string[], flags: ConnectFlags & ProbeTlsFlags & { count?: number; interval?: number; history: boolean }) => {
      current = 'rxconnect probe';
      const urls = targets.filter(isUrlTarget).map((text) => text.trim().toLowerCase());
      if (urls.length > 0 && flags.alpn !== undefined) throw new UsageError("option '--alpn <list>' does not apply to URL targets: the request speaks HTTP/1.1");
      if (flags.tls === true && urls.some((url) => url.startsWith('http://'))) throw new UsageError("option '--tls' does not apply to an http:// URL (write https:// for TLS)");
      const { tls, https } = await probeTls(flags, io, urls.some((url) => url.startsWith('https://')));
      if (flags.interval !== undefined && flags.count === undefined) throw new UsageError("option '--interval <ms>' needs --count");
      if (!flags.history && flags.count === undefined) throw new UsageError("option '--no-history' needs --count");
      const history = flags.history ? {} : { history: false as const };
      code = await probe(targets, { ...settings(flags), ...history, tls, https, count: flags.count, interval: flags.interval }, io);
    });

  connectOptions(configure(program.command('scan'), 'rxconnect scan'))
    .description('connect to every target: host:22,80,443, host:1-1024, 10.0.0.0/24:80, [fd00::/120]:22, or a FILE of them (one per line, # comments; "-" reads stdin)')
    .argument('<target...>', 'a target form, or an existing file of them, or - for standard input')
    .option('--concurrency <n>', 'connects at once', positive, SCAN_CONCURRENCY)
    .option('--rate <n>', 'connect attempts per second, evenly spaced (default: no limit)', rateOption)
    .option('--timeout <ms>', 'give up on a target after this many ms', milliseconds, SCAN_TIMEOUT)
    .option('--top <n>', "the ports of a host written without one: the first N of nmap's top 100 TCP ports", topOption)
    .option('--shard <i/n>', 'only every n-th target, starting with the i-th (1-based): split a scan across processes', shardOption)
    .option('--open', 'print only targets that connected')
    .addOption(new Option('--json', 'print one JSON document instead of the table').conflicts('jsonl'))
    .addOption(new Option('--jsonl', 'print one JSON object per line for each result, as it comes').conflicts('json'))
    .addHelpText('after', '\nAn argument that is - or an existing file is a list of targets; anything else is a target.\nExit codes: 0 every target up, 1 some target down, 2 usage error, 130 interrupted (Ctrl-C).')
    .action(async (targets: string[], flags: ConnectFlags & { concurrency: number; rate?: number; top?: number; shard?: Shard; open?: boolean; jsonl?: boolean }) => {
      current = 'rxconnect scan';
      const { concurrency, rate, top, shard, open, jsonl } = flags;
      code = await scan(targets, { ...settings(flags), concurrency, rate, top, shard, open, jsonl }, io);
    });

  configure(program.command('serve'), 'rxconnect serve')
    .description('an echo server (default) or the time server of Tcl\'s socket man page, over TCP or TLS, until Ctrl-C')
    .argument('<port>', 'a port number (0: any free port) or a service name')
    .option('--myaddr <addr>', 'the local address or name to listen on (default: all)')
    .addOption(new Option('--echo', 'echo what each client sends (default)').conflicts('time'))
    .addOption(new Option('--time', 'send the time and the seconds since start, then close').conflicts('echo'))
    .option('--tls', 'serve TLS (needs --key and --cert)')
    .option('--key <file>', "with --tls: the server's private key (PEM)")
    .option('--cert <file>', "with --tls: the server's certificate, or its chain (PEM)")
    .option('--alpn <list>', 'with --tls: protocols to accept by ALPN, comma-separated, most preferred first', protocolList)
    .option('--request-cert', 'with --tls: ask each client for a certificate, and drop clients whose certificate does not verify')
    .option('--ca <file>', 'with --request-cert: the CAs that client certificates must chain to (PEM)')
    .action(async (port: string, flags: { myaddr?: string; echo?: boolean; time?: boolean } & ServeTlsFlags) => {
      current = 'rxconnect serve';
      const tls = await serveTls(flags, io);
      code = await serve(port, { myaddr: flags.myaddr, echo: flags.echo, time: flags.time, tls }, io);
    });

  const split = splitWaitCommand(argv);
  defineWait(configure(program.command('wait'), 'rxconnect wait'), io, split.childCommand, {
    started: () => void (current = 'rxconnect wait'),
    finished: (exit) => void (code = exit),
  });

  configure(program.command('demo'), 'rxconnect demo')
    .description('a tour of rxconnect on loopback: Happy Eyeballs, fallbacks, errors, flushOnConnect, snapshots')
    .action(async () => {
      current = 'rxconnect demo';
      code = await demo(io);
    });

  if (argv.length === 0) {
    io.stderr.write(program.helpInformation());
    return EXIT.usage;
  }
  try {
    await program.parseAsync([...split.argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      const done = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || (error.code === 'commander.help' && error.exitCode === 0);
      return done ? EXIT.ok : EXIT.usage;
    }
    io.stderr.write(`${current}: ${visible(oneLine(error))}\n`);
    return error instanceof UsageError ? EXIT.usage : EXIT.failed;
  }
}
