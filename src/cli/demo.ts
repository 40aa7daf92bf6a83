import { defer, of } from 'rxjs';
import { connectAsync$, createSnapshot, flushOnConnect, snapshot } from '../index.js';
import type { SocketSnapshot } from '../index.js';
import type { Palette } from './colors.js';
import { colorEnabled, pad, palette } from './colors.js';
import type { ConnectSettings } from './connect.js';
import { describeSettings, planConnect, runConnect } from './connect.js';
import type { DemoName, DemoNetwork } from './DemoNetwork.js';
import { startDemoNetwork } from './startDemoNetwork.js';
import { visible } from './escape.js';
import { wrapLine } from './wrap.js';
import type { CliIo } from './io.js';
import { barWidth } from './probe.js';
import { targetReport } from './report.js';
import type { TargetReport } from './report.js';
import { renderTable } from './table.js';
import { legend, renderTimeline } from './timeline.js';
import { EXIT, oneLine } from './usage.js';

/** The attempt timeout that stands in for the kernel's (minutes) in the sequential scenes. */
export const DEMO_ATTEMPT_TIMEOUT = 1000;

/** The scene headings, in order (specs look for them). */
export const SCENES: readonly string[] = Object.freeze([
  "Happy Eyeballs beats Tcl's one-at-a-time order",
  'A refused address falls back at once',
  'One readable error for every attempt',
  'flushOnConnect: write before you are connected',
  'Four connects polled through snapshots (TIP 427)',
]);

/**
 * One cell of the polling table: what a {@link SocketSnapshot} says, in at most 20 columns: `lookup`, the
 * addresses in flight, `✔ peer` or `✘ error`. Pure.
 */
export function describeSnapshot(s: SocketSnapshot, p: Palette): string {
  if (s.connecting) return p.yellow(s.inFlight.length === 0 ? 'lookup' : s.inFlight.map((a) => visible(a.address)).join(' '));
  if (s.error !== '') return p.red(`✘ ${visible(s.error)}`);
  if (s.peername !== null) return p.green(`✔ ${visible(s.peername.address)}`);
  return p.dim('idle');
}

/**
 * A {@link SocketSnapshot} the way `subject.value` reads, one field per line (the last four indented by two)
 * so that it fits a terminal. Pure.
 */
export function formatSnapshot(s: SocketSnapshot): string[] {
  const name = (n: SocketSnapshot['sockname']): string => (n === null ? 'null' : `{ address: '${visible(n.address)}', port: ${n.port} }`);
  const inFlight = s.inFlight.length === 0 ? '[]' : `[${s.inFlight.map((a) => `'${visible(a.address)}'`).join(', ')}]`;
  return [`{ connecting: ${s.connecting},`, `  error: '${visible(s.error)}',`, `  sockname: ${name(s.sockname)},`, `  peername: ${name(s.peername)},`, `  inFlight: ${inFlight} }`];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function call(name: DemoName, options = ''): string {
  return `connectAsync$('${name.name}', ${name.port}${options === '' ? '' : `, ${options}`})`;
}

/**
 * `rxconnect demo`: starts loopback fixtures (or, where the host lacks IPv6 loopback, the same names on the
 * virtual network, and says so), then shows five scenes as timelines, each with a line on why it matters. No
 * network and no arguments; it stops every fixture and resolves with 0 (130 when interrupted).
 */
export async function demo(io: CliIo, startNetwork: (onLine: (line: string) => void) => Promise<DemoNetwork> = startDemoNetwork): Promise<number> {
  const p = palette(colorEnabled(io.stdout, io.env));
  let aborted = false;
  // On a terminal, prose is wrapped to its width; a pipe gets whole lines.
  const columns = io.stdout.isTTY === true ? io.stdout.columns : undefined;
  const out = (line = ''): void => {
    if (!aborted) io.stdout.write((columns === undefined ? [line] : wrapLine(line, columns)).join('\n') + '\n');
  };
  const width = barWidth(io.stdout.columns);
  const started = Date.now();
  let onLine: (line: string) => void = () => undefined;
  let stopListening = (): void => undefined;
  const interrupted = new Promise<number>((resolve) => {
    stopListening = io.onInterrupt(() => {
      out(p.yellow('\ninterrupted: stopping the fixtures'));
      aborted = true;
      resolve(130);
    });
  });

  out(p.bold('rxconnect demo'));
  out('rxconnect turns a TCP connect into a cold RxJS Observable of typed events:');
  out('resolved, attempt, attemptFailed, attemptCancelled, then connected or failed,');
  out('and closed. Each scene subscribes to connectAsync$ and draws its events.');
  let net: DemoNetwork | undefined;
  try {
    net = await startNetwork((line) => onLine(line));
    if (aborted) return 130;
    if (net.simulated === undefined) out('Everything runs on loopback, against fixtures started just now:');
    else out(p.yellow(`note: ${net.simulated}, so the scenes run on rxconnect/testing's virtual network instead, in real time:`));
    const fixtures = renderTable(
      [{ header: 'name' }, { header: 'port', align: 'right' }, { header: 'IPv6' }, { header: '127.0.0.1' }],
      [
        [net.hanging.name, String(net.hanging.port), p.yellow(`${net.hanging.ipv6} hangs${net.simulated === undefined ? ' (full accept queue)' : ''}`), p.green('answers, prints lines')],
        [net.v6Refuses.name, String(net.v6Refuses.port), p.red(`${net.v6Refuses.ipv6} refuses`), p.green('answers')],
        [net.nobody.name, String(net.nobody.port), p.red(`${net.nobody.ipv6} refuses`), p.red('refuses')],
      ],
      '  ',
    );
    fixtures.forEach((line) => out(line));
    out(p.dim('  The names come from the `lookup` option, so no DNS is involved.'));
    out(`  ${legend(p)}`);
    return await Promise.race([scenes(net), interrupted]);
  } catch (error) {
    if (aborted) return 130;
    io.stderr.write(`rxconnect demo: ${visible(oneLine(error))}\n`);
    return EXIT.failed;
  } finally {
    stopListening();
    await net?.stop();
  }

  async function scenes(n: DemoNetwork): Promise<number> {
    const heading = (i: number, why: string): void => {
      // After Ctrl-C, the scene in progress ends quickly (its fixtures are gone) and no other starts.
      if (aborted) throw new Error('interrupted');
      out();
      out(p.bold(`━━ ${i + 1}/${SCENES.length}  ${SCENES[i]}`));
      out(`   ${p.cyan('Why it matters:')} ${why}`);
      out();
    };
    const connect = async (name: DemoName, settings: ConnectSettings): Promise<TargetReport> => {
      const target = { text: `${name.name}:${name.port}`, host: name.name, port: name.port };
      return targetReport(target, await runConnect(planConnect(target, { ...settings, lookup: n.lookup, transport: n.transport })));
    };
    const draw = (report: TargetReport, title: string, settings: ConnectSettings, scale?: number): void => {
      // The note repeats what the call says; it is left out where it would push the line past 80 columns.
      const described = describeSettings(settings);
      const note = 3 + title.length + 2 + described.length > 80 ? undefined : described;
      renderTimeline(report, { palette: p, width, title: `   ${title}`, note, indent: '    ', scale }).forEach((line) => out(line));
    };

    // 1. Happy Eyeballs against the sequential order, on the name whose IPv6 address hangs.
    heading(0, 'one dead address must not stall a connect when another address works.');
    const sequential: ConnectSettings = { strategy: 'sequential', attemptTimeout: DEMO_ATTEMPT_TIMEOUT };
    const he = await connect(n.hanging, {});
    const seq = await connect(n.hanging, sequential);
    const scale = Math.max(he.ms, seq.ms);
    draw(he, call(n.hanging), {}, scale);
    out();
    out(`   const sequential = { strategy: 'sequential', attemptTimeout: ${DEMO_ATTEMPT_TIMEOUT} };`);
    draw(seq, call(n.hanging, 'sequential'), sequential, scale);
    out();
    out(`   Tcl's order waits on ${n.hanging.ipv6} until the kernel gives up (about two minutes on`);
    out(`   Linux); here attemptTimeout: ${DEMO_ATTEMPT_TIMEOUT} stands in for the kernel so the demo`);
    out('   stays short. Happy Eyeballs started 127.0.0.1 after attemptDelay (250 ms)');
    out(`   and connected in ${p.bold(`${he.ms} ms`)}, against ${p.bold(`${seq.ms} ms`)} for the sequential order.`);

    // 2. The refused fallback.
    heading(1, 'a refusal is an answer, so the next address starts at once instead of after attemptDelay.');
    draw(await connect(n.v6Refuses, {}), call(n.v6Refuses), {}, 250);
    out(`   ${p.dim('(drawn on a 250 ms axis, the attemptDelay it did not have to wait for)')}`);

    // 3. The aggregated error.
    heading(2, "Tcl's -error says \"connection refused\"; rxconnect says which address refused, and when.");
    const nobody = await connect(n.nobody, {});
    draw(nobody, call(n.nobody), {}, 250);
    out();
    out(`   The ${p.bold('failed')} event is data, and event.error is a ConnectError`);
    out('   (connected() makes it an error notification):');
    out(`     error.code      ${nobody.error?.code ?? ''}   ${p.dim('the most telling code of all the attempts')}`);
    out(`     error.message   the ✘ line above: Tcl's text, one clause per attempt`);
    out(`     error.attempts  ${nobody.events.filter((e) => e.type === 'attemptFailed').length} ConnectErrors, one per address, in attempt order`);

    // 4. flushOnConnect.
    heading(3, 'queue a greeting now; it goes out the moment a connection wins, and nothing is dropped silently.');
    out(`     ${call(n.hanging)}`);
    out(`       .pipe(flushOnConnect(of('HELO rxconnect-demo\\r\\n')))`);
    out();
    await greeting(n);

    // 5. Snapshots.
    heading(4, 'start many connects, do other work, then read each snapshot: no events, no callbacks.');
    await polling(n);

    out();
    const stopped = n.simulated === undefined ? ' Every fixture is stopped (listeners, clients, child).' : ' Every fixture is stopped.';
    out(p.bold(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`) + stopped);
    out(`Next: ${p.cyan('rxconnect probe HOST:PORT')}, ${p.cyan('scan FILE')}, ${p.cyan('serve PORT --time')} (see --help)`);
    return EXIT.ok;
  }

  async function greeting(n: DemoNetwork): Promise<void> {
    const t0 = Date.now();
    const log = (text: string): void => out(`     ${pad(`${Date.now() - t0} ms`, 8, true)}  ${text}`);
    const text = 'HELO rxconnect-demo';
    const received = new Promise<void>((resolve) => {
      onLine = (line) => {
        log(`${p.magenta('server received')} ${visible(JSON.stringify(line))}`);
        if (line === text) resolve();
      };
    });
    const outgoing$ = defer(() => {
      log(`flushOnConnect queued ${JSON.stringify(text)}; not connected yet`);
      return of(`${text}\r\n`);
    });
    const subscription = connectAsync$(n.hanging.name, n.hanging.port, { lookup: n.lookup, transport: n.transport })
      .pipe(flushOnConnect(outgoing$))
      .subscribe((event) => {
        if (event.type === 'attempt') log(`attempt #${event.attempt} ${event.address.address}`);
        if (event.type === 'attemptCancelled') log(p.yellow(`attempt #${event.attempt} ${event.address.address} cancelled: lost the race`));
        if (event.type === 'connected') log(p.green(`connected to ${event.address.address}`) + '; the queue went out just before');
        if (event.type === 'failed') log(p.red(visible(event.error.message)));
      });
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([received, new Promise<void>((resolve) => (timer = setTimeout(resolve, 5000)))]);
    clearTimeout(timer);
    onLine = () => undefined;
    subscription.unsubscribe();
  }

  async function polling(n: DemoNetwork): Promise<void> {
    const connects = [
      { label: n.hanging.name, name: n.hanging, settings: {} },
      { label: n.v6Refuses.name, name: n.v6Refuses, settings: {} },
      { label: n.nobody.name, name: n.nobody, settings: {} },
      { label: 'sequential', name: n.hanging, settings: { strategy: 'sequential' as const, attemptTimeout: DEMO_ATTEMPT_TIMEOUT } },
    ];
    out('     const s = createSnapshot();');
    out(`     ${call(n.hanging)}.pipe(snapshot(s)).subscribe();`);
    out('     setInterval(() => console.log(s.value), 250);');
    out();
    out(`   Four such connects; the last is ${n.hanging.name} again, in the sequential`);
    out('   order. Each cell is one poll: the addresses in flight (s.value.inFlight)');
    out('   while connecting, then ✔ the peer (peername) or ✘ the error.');
    out();
    const subjects = connects.map(() => createSnapshot());
    const subscriptions = connects.map((c, i) =>
      connectAsync$(c.name.name, c.name.port, { ...c.settings, lookup: n.lookup, transport: n.transport }).pipe(snapshot(subjects[i]!)).subscribe(),
    );
    const t0 = Date.now();
    const rows: string[][] = [];
    try {
      for (;;) {
        const values = subjects.map((s) => s.value);
        rows.push([`${Date.now() - t0} ms`, ...values.map((v) => describeSnapshot(v, p))]);
        if (values.every((v) => !v.connecting) || Date.now() - t0 > 10_000) break;
        await sleep(250);
      }
      renderTable([{ header: 'poll', align: 'right' }, ...connects.map((c) => ({ header: c.label }))], rows, '   ').forEach((line) => out(line));
      out();
      out(`     s.value for ${n.hanging.name}:`);
      formatSnapshot(subjects[0]!.value).forEach((line) => out(`     ${line}`));
    } finally {
      subscriptions.forEach((s) => s.unsubscribe());
    }
  }
}
