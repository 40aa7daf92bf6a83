import { readFileSync } from 'node:fs';

// The well-known names, so a service name means the same port where no services file exists.
const BUILT_IN: Readonly<Record<string, number>> = {
  echo: 7, discard: 9, daytime: 13, ftp: 21, ssh: 22, telnet: 23, smtp: 25, time: 37, domain: 53, gopher: 70,
  finger: 79, http: 80, www: 80, pop3: 110, sunrpc: 111, auth: 113, nntp: 119, ntp: 123, imap: 143, imap2: 143,
  snmp: 161, ldap: 389, https: 443, microsoft_ds: 445, 'microsoft-ds': 445, submissions: 465, smtps: 465,
  submission: 587, ipp: 631, ldaps: 636, rsync: 873, 'ftps-data': 989, ftps: 990, imaps: 993, pop3s: 995,
  socks: 1080, openvpn: 1194, mysql: 3306, postgresql: 5432, amqp: 5672, 'x11': 6000, 'http-alt': 8080,
  redis: 6379, mongodb: 27017, 'irc': 194, 'ircs-u': 6697, git: 9418, xmpp_client: 5222, 'xmpp-client': 5222,
};

let table: Map<string, number> | undefined;

/** Parses a services(5) file: `name port/proto aliases...`, keeping the tcp entries. */
export function parseServices(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const [name, portProto, ...aliases] = line.split(/\s+/);
    const m = /^(\d+)\/tcp$/.exec(portProto ?? '');
    if (name === undefined || m?.[1] === undefined) continue;
    const port = Number(m[1]);
    if (port < 1 || port > 65535) continue;
    for (const n of [name, ...aliases]) if (!map.has(n)) map.set(n, port);
  }
  return map;
}

function load(): Map<string, number> {
  const map = new Map<string, number>(Object.entries(BUILT_IN));
  try {
    for (const [name, port] of parseServices(readFileSync('/etc/services', 'latin1'))) map.set(name, port);
  } catch {
    // No services file (Windows, minimal containers): the built-in table answers alone.
  }
  return map;
}

/** The TCP port of a service name, from the system services database or the built-in table. */
export function servicePort(name: string): number | undefined {
  table ??= load();
  return table.get(name);
}
