package supervisor

import (
	"bufio"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"
)

// listenConnect serves kube-apiserver's `cluster` egress: an EgressSelectorConfiguration with
// proxyProtocol HTTPConnect over a Unix socket. For each CONNECT it asks route for the Unix socket to tunnel to;
// a destination without one is refused at once with a 503 whose body says why (the API server puts it in the
// webhook error), so webhook calls to anything but istiod fail as fast as before.
func listenConnect(path string, route func(host string, port int) (string, error)) (net.Listener, error) {
	_ = os.Remove(path)
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %v", path, err)
	}
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go handleConnect(conn, route)
		}
	}()
	return l, nil
}

func handleConnect(conn net.Conn, route func(host string, port int) (string, error)) {
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(conn)
	req, err := http.ReadRequest(br)
	if err != nil {
		conn.Close()
		return
	}
	_ = conn.SetReadDeadline(time.Time{})
	if req.Method != http.MethodConnect {
		refuse(conn, http.StatusMethodNotAllowed, "only CONNECT is served here")
		return
	}
	host, portText, err := net.SplitHostPort(req.Host)
	port, perr := strconv.Atoi(portText)
	if err != nil || perr != nil {
		refuse(conn, http.StatusBadRequest, "CONNECT target "+req.Host+" is not host:port")
		return
	}
	socket, err := route(host, port)
	if err != nil {
		log.Printf("CONNECT %s refused: %v", req.Host, err)
		refuse(conn, http.StatusServiceUnavailable, err.Error())
		return
	}
	upstream, err := net.DialTimeout("unix", socket, 2*time.Second)
	if err != nil {
		refuse(conn, http.StatusServiceUnavailable, "istiod webhook server: "+err.Error())
		return
	}
	if _, err := io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		conn.Close()
		upstream.Close()
		return
	}
	splice(conn, br, upstream)
}

func refuse(conn net.Conn, code int, msg string) {
	fmt.Fprintf(conn, "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		code, http.StatusText(code), len(msg), msg)
	conn.Close()
}

// splice copies both ways until either side closes; bytes the client sent after the CONNECT request (already in
// the reader's buffer) go first.
func splice(client net.Conn, clientReader *bufio.Reader, upstream net.Conn) {
	var once sync.Once
	closeBoth := func() { client.Close(); upstream.Close() }
	go func() {
		_, _ = io.Copy(upstream, clientReader)
		once.Do(closeBoth)
	}()
	_, _ = io.Copy(client, upstream)
	once.Do(closeBoth)
}
