# Loopback listeners that Node cannot make, driven line by line over stdin (one command, one reply).
#
#   hang <4|6> <port>          a "blackhole": listen(0) and never accept; one filler client takes the only
#                              accept-queue slot, so later SYNs are dropped and connects hang.
#   slow <4|6> <port> <secs>   the same, but after <secs> it accepts everything: the filler leaves the queue, and
#                              a hanging client's SYN retry (about 1 s after its first SYN) gets through.
#   slowhttp <4|6> <port> <secs>  like slow, and every accepted connection answers each HTTP/1.1 request (a GET
#                              without a body) with "200 OK" and the body "ok", keeping the connection open.
#   close <id>                 closes a listener and its connections.
# Replies "ok <id> <port>" or "err <message>". Port 0 picks a free one. Exits when stdin closes.
# Only 127.0.0.1 and ::1 are ever bound.
import socket, sys, threading

listeners = {}
lock = threading.Lock()
next_id = 0

def make(fam_arg, port):
    fam, addr = (socket.AF_INET6, '::1') if fam_arg == '6' else (socket.AF_INET, '127.0.0.1')
    srv = socket.socket(fam, socket.SOCK_STREAM)
    srv.bind((addr, port))
    srv.listen(0)
    filler = socket.socket(fam, socket.SOCK_STREAM)
    filler.connect((addr, srv.getsockname()[1]))
    return srv, [filler]

RESPONSE = b'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok'

def answer_http(conn, closed):
    pending = b''
    conn.settimeout(0.2)
    while not closed.is_set():
        try:
            data = conn.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            return
        if not data:
            return
        pending += data
        while b'\r\n\r\n' in pending:
            head, pending = pending.split(b'\r\n\r\n', 1)
            try:
                conn.sendall(RESPONSE)
            except OSError:
                return
            if b'connection: close' in head.lower():
                try:
                    conn.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return

def drain_later(entry, secs):
    if entry['closed'].wait(secs):
        return
    srv = entry['srv']
    srv.settimeout(0.2)
    while not entry['closed'].is_set():
        try:
            conn, _ = srv.accept()
            entry['held'].append(conn)
            if entry['http']:
                threading.Thread(target=answer_http, args=(conn, entry['closed']), daemon=True).start()
        except socket.timeout:
            continue
        except OSError:
            return

for line in sys.stdin:
    parts = line.split()
    if not parts:
        continue
    try:
        if parts[0] in ('hang', 'slow', 'slowhttp'):
            srv, held = make(parts[1], int(parts[2]))
            next_id += 1
            entry = {'srv': srv, 'held': held, 'closed': threading.Event(), 'http': parts[0] == 'slowhttp'}
            listeners[next_id] = entry
            if parts[0] in ('slow', 'slowhttp'):
                threading.Thread(target=drain_later, args=(entry, float(parts[3])), daemon=True).start()
            print('ok', next_id, srv.getsockname()[1], flush=True)
        elif parts[0] == 'close':
            entry = listeners.pop(int(parts[1]), None)
            if entry is not None:
                entry['closed'].set()
                for s in [entry['srv']] + entry['held']:
                    try:
                        s.close()
                    except OSError:
                        pass
            print('ok', parts[1], 0, flush=True)
        else:
            print('err unknown command', parts[0], flush=True)
    except Exception as e:
        print('err', repr(e).replace('\n', ' '), flush=True)
