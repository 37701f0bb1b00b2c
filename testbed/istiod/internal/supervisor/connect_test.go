package supervisor

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConnectTunnelsIstiodAndRefusesTheRestAtOnce(t *testing.T) {
	dir := t.TempDir()
	upstream := filepath.Join(dir, "webhook.sock")
	l, err := net.Listen("unix", upstream)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err == nil {
			_, _ = io.Copy(c, c) // echo
			c.Close()
		}
	}()
	proxy, err := listenConnect(filepath.Join(dir, "egress.sock"), func(host string, port int) (string, error) {
		if host == "10.0.0.20" && port == 443 {
			return upstream, nil
		}
		return "", errors.New("not an istiod Service")
	})
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()

	dial := func(target string) (net.Conn, *bufio.Reader, *http.Response) {
		c, err := net.Dial("unix", filepath.Join(dir, "egress.sock"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", target, target)
		r := bufio.NewReader(c)
		resp, err := http.ReadResponse(r, &http.Request{Method: http.MethodConnect})
		if err != nil {
			t.Fatal(err)
		}
		return c, r, resp
	}

	start := time.Now()
	c, _, resp := dial("10.0.0.99:443")
	body, _ := io.ReadAll(resp.Body)
	c.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "not an istiod Service") {
		t.Errorf("other destination: %d %q", resp.StatusCode, body)
	}
	if time.Since(start) > time.Second {
		t.Errorf("refusal took %v, want at once", time.Since(start))
	}

	c, r, resp := dial("10.0.0.20:443")
	defer c.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("istiod: %d", resp.StatusCode)
	}
	fmt.Fprint(c, "hello")
	buf := make([]byte, 5)
	if _, err := io.ReadFull(r, buf); err != nil || string(buf) != "hello" {
		t.Errorf("tunnel echoed %q, %v", buf, err)
	}
}

func TestImageTag(t *testing.T) {
	for image, want := range map[string]string{
		"docker.io/istio/pilot:1.30.3":                    "1.30.3",
		"registry:5000/istio/pilot:1.31.0-alpha.eed52ebb": "1.31.0-alpha.eed52ebb",
		"registry:5000/istio/pilot":                       "",
		"docker.io/istio/pilot:1.30.3@sha256:abcd":        "1.30.3",
	} {
		if got := imageTag(image); got != want {
			t.Errorf("imageTag(%q) = %q, want %q", image, got, want)
		}
	}
}
