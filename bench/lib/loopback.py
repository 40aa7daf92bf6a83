# Loopback listeners that Node cannot make, driven line by line over stdin (one command, one reply).
#
#   hang <4|6> <port>          a "blackhole": listen(0) and never accept; one filler client takes the only
#                              accept-queue slot, so later SYNs are dropped and connects hang.
#   slow <4|6> <port> <secs>   the same, but after <secs> it accepts everything: the filler leaves the queue, and
#                              a hanging client's SYN retry (about 1 s after its first SYN) gets through.
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

def drain_later(entry, secs):
    if entry['closed'].wait(secs):
        return
    srv = entry['srv']
    srv.settimeout(0.2)
    while not entry['closed'].is_set():
        try:
            conn, _ = srv.accept()
            entry['held'].append(conn)
        except socket.timeout:
            continue
        except OSError:
            return

for line in sys.stdin:
    parts = line.split()
    if not parts:
        continue
    try:
        if parts[0] in ('hang', 'slow'):
            srv, held = make(parts[1], int(parts[2]))
            next_id += 1
            entry = {'srv': srv, 'held': held, 'closed': threading.Event()}
            listeners[next_id] = entry
            if parts[0] == 'slow':
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
