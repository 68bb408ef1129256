#!/usr/bin/env python3
"""cdp.py: starts a headless chromium listening for the DevTools protocol on
127.0.0.1 (an ephemeral port, a profile of its own, stopped at the end) and
drives it, for the report's tests and benchmark.

  cdp.py CHROMIUM drag URL X0 X1 Y   opens URL, drags the mouse from (X0, Y)
                                     to (X1, Y) as a user would, and prints
                                     what the report's timeline then shows:
                                     its data-from, data-to (seconds) and the
                                     address' #fragment
  cdp.py CHROMIUM load N URL...      opens each URL N times in turn and prints
                                     "NAME MS" each time: navigationStart to
                                     the end of the load event (scripts run)

The standard library only (Debian's python3 has no WebSocket client): a
WebSocket client enough for one page's messages (RFC 6455: a masked text
frame out, unmasked text frames in, lengths of 7, 16 or 64 bits)."""
import atexit, base64, json, os, shutil, socket, struct, subprocess, sys, tempfile, time
import urllib.parse, urllib.request

if len(sys.argv) < 5 or sys.argv[2] not in ('drag', 'load'):
    sys.exit(__doc__)
chromium, mode = sys.argv[1], sys.argv[2]
deadline = time.monotonic() + 60


def start_browser():
    """The browser, and the port it wrote to its profile's DevToolsActivePort."""
    profile = tempfile.mkdtemp(prefix='kdaout-cdp-')
    # [choice] no sandbox: root in a container has no user namespace; our own files, no network
    browser = subprocess.Popen(
        [chromium, '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
         '--disable-dev-shm-usage', '--user-data-dir=' + profile,
         '--remote-debugging-address=127.0.0.1', '--remote-debugging-port=0',
         '--window-size=1400,900', 'about:blank'],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop():  # SIGTERM: chromium stops its helper processes too, then the profile can go
        browser.terminate()
        try:
            browser.wait(timeout=10)
        except subprocess.TimeoutExpired:
            browser.kill()
            browser.wait()
        shutil.rmtree(profile, ignore_errors=True)
    atexit.register(stop)
    active = os.path.join(profile, 'DevToolsActivePort')
    while not (os.path.exists(active) and os.path.getsize(active) > 0):
        if time.monotonic() > deadline or browser.poll() is not None:
            sys.exit('cdp: chromium did not open its DevTools port')
        time.sleep(0.05)
    return open(active).readline().strip()


port = start_browser()


def page_target():
    while True:
        try:
            with urllib.request.urlopen('http://127.0.0.1:%s/json/list' % port, timeout=5) as r:
                pages = [t for t in json.load(r) if t['type'] == 'page']
            if pages:
                return pages[0]['webSocketDebuggerUrl']
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit('cdp: no page target on port %s' % port)
        time.sleep(0.1)


class Socket:
    def __init__(self, ws_url):
        u = urllib.parse.urlparse(ws_url)
        self.s = socket.create_connection((u.hostname, u.port), timeout=20)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall(('GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n'
                        'Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n'
                        'Sec-WebSocket-Version: 13\r\n\r\n' % (u.path, u.hostname, u.port, key))
                       .encode())
        head = b''
        while b'\r\n\r\n' not in head:
            head += self.s.recv(1)
        if b' 101 ' not in head.split(b'\r\n')[0]:
            sys.exit('cdp: no WebSocket: %r' % head[:80])
        self.next_id = 0

    def _exact(self, n):
        b = b''
        while len(b) < n:
            chunk = self.s.recv(n - len(b))
            if not chunk:
                sys.exit('cdp: the browser closed the connection')
            b += chunk
        return b

    def _frame(self):
        b0, b1 = self._exact(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack('>H', self._exact(2))[0]
        elif n == 127:
            n = struct.unpack('>Q', self._exact(8))[0]
        return b0 & 0x0F, self._exact(n)

    def call(self, method, **params):
        self.next_id += 1
        data = json.dumps({'id': self.next_id, 'method': method, 'params': params}).encode()
        mask = os.urandom(4)
        n = len(data)
        head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else
                                bytes([0x80 | 126]) + struct.pack('>H', n))
        self.s.sendall(head + mask + bytes(c ^ mask[i % 4] for i, c in enumerate(data)))
        text = b''
        while True:
            op, payload = self._frame()
            text += payload
            if op in (0, 1) and text:
                try:
                    msg = json.loads(text)
                except ValueError:
                    continue  # a fragmented message: wait for the rest
                text = b''
                if msg.get('id') == self.next_id:
                    return msg.get('result', {})


def evaluate(ws, expression):
    return ws.call('Runtime.evaluate', expression=expression, returnByValue=True)['result']['value']


def load(ws, url):
    """Opens url; returns its load time in ms (the load event's end)."""
    ws.call('Page.navigate', url=url)
    while True:
        ms = evaluate(ws, 'document.URL === %s && performance.timing.loadEventEnd > 0 ? '
                          'performance.timing.loadEventEnd - performance.timing.navigationStart : -1'
                      % json.dumps(url))
        if ms >= 0:
            return ms
        if time.monotonic() > deadline:
            sys.exit('cdp: %s did not load' % url)
        time.sleep(0.02)


ws = Socket(page_target())
ws.call('Page.enable')
if mode == 'load':
    for _ in range(int(sys.argv[3])):
        for url in sys.argv[4:]:
            print(url.rsplit('/', 1)[-1], load(ws, url))
    sys.exit(0)
url, x0, x1, y = sys.argv[3], *map(float, sys.argv[4:7])
load(ws, url)
for kind, x in (('mousePressed', x0), ('mouseMoved', (x0 + x1) / 2), ('mouseMoved', x1),
                ('mouseReleased', x1)):
    ws.call('Input.dispatchMouseEvent', type=kind, x=x, y=y, button='left', clickCount=1)
print(evaluate(ws, 'var s = document.querySelector("svg.timeline");'
                   '[s.dataset.from, s.dataset.to, location.hash].join(" ")'))
