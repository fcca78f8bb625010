// Command abuse replays, against an emulator binary it starts on loopback, the catalog of
// attacks the emulator must hold against: idle and slow connections under a low open-files
// limit, floods, oversized and malformed input, a frozen store, and the answers net/http
// gives by itself. Every case is bounded in count and time. It prints one line per case and a
// summary line, and exits 1 when a case did not hold.
//
//	go run ./scripts/abuse --bin /path/to/apicemu [--short] [--addr 127.0.0.1:18200]
package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
	_ "modernc.org/sqlite" // the frozen-store case holds the SQLite write lock
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const (
	project  = "73d69ae0cfcf460190522d06b60f05ad"
	instance = "eddc4d25480b4cd6b512f270a1b8b341"
	token    = "emulator-token"
	romaPath = "/v2/" + project + "/apic/instances/" + instance + "/apis"
	group    = "c77f5e81d9cb4424bf704ef2b0ac7600"
)

// The limits the emulator is started with, through its environment (a build without them
// ignores the variables).
var childEnv = []string{
	"APICEMU_IDLE_TIMEOUT=2s", "APICEMU_READ_TIMEOUT=2s", "APICEMU_WRITE_TIMEOUT=10s",
	"APICEMU_REQUEST_TIMEOUT=3s", "APICEMU_LOG_LEVEL=error",
}

type abuser struct {
	base, addr string
	pid        int
	dbPath     string
	short      bool
	client     *http.Client
}

type result struct {
	name   string
	held   bool
	detail string
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("abuse", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bin := fs.String("bin", "", "the apicemu binary to attack (required)")
	addr := fs.String("addr", "127.0.0.1:18200", "loopback address to start it on")
	short := fs.Bool("short", false, "fewer connections and large bodies (CI)")
	if err := fs.Parse(args); err != nil || *bin == "" {
		fmt.Fprintln(stderr, "usage: abuse --bin APICEMU [--addr 127.0.0.1:PORT] [--short]")
		return 2
	}
	if host, _, err := net.SplitHostPort(*addr); err != nil || !net.ParseIP(host).IsLoopback() {
		fmt.Fprintln(stderr, "abuse: --addr must be a loopback address")
		return 2
	}
	dir, err := os.MkdirTemp("", "abuse")
	if err != nil {
		fmt.Fprintln(stderr, "abuse:", err)
		return 2
	}
	defer os.RemoveAll(dir)
	a := &abuser{base: "http://" + *addr, addr: *addr, dbPath: filepath.Join(dir, "apicemu.db"), short: *short,
		client: &http.Client{Timeout: 20 * time.Second}}
	cmd := exec.Command(*bin, "--addr", *addr, "--store", a.dbPath)
	cmd.Env = append(os.Environ(), childEnv...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard // its log of refused requests is expected noise
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(stderr, "abuse:", err)
		return 2
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }() //nolint:errcheck
	a.pid = cmd.Process.Pid
	// The emulator gets a small open-files limit, as in the catalog; this process keeps its own.
	if err := unix.Prlimit(a.pid, unix.RLIMIT_NOFILE, &unix.Rlimit{Cur: 256, Max: 256}, nil); err != nil {
		fmt.Fprintln(stderr, "abuse: prlimit:", err)
		return 2
	}
	if !a.waitHealthy(10 * time.Second) {
		fmt.Fprintln(stderr, "abuse: the emulator did not start")
		return 2
	}
	cases := []func() result{
		a.idleConnections, a.slowBodies, a.flood, a.hugeArrays, a.largestBodiesRSS,
		a.invalidUTF8Route, a.badRequestURIs, a.freeTextUTF8, a.manyTags, a.contentType,
		a.integerSpellings, a.netHTTPErrors, a.options, a.frozenStore,
	}
	held, failed := 0, 0
	for _, c := range cases {
		started := time.Now()
		r := c()
		mark := "ok  "
		if r.held {
			held++
		} else {
			failed++
			mark = "FAIL"
		}
		fmt.Fprintf(stdout, "%s %-28s %s (%.1fs)\n", mark, r.name, r.detail, time.Since(started).Seconds())
	}
	fmt.Fprintf(stdout, "abuse: %d cases, %d held, %d failed; peak RSS %d MB\n", len(cases), held, failed, a.peakRSS()>>20)
	if failed > 0 {
		return 1
	}
	return 0
}

func (a *abuser) waitHealthy(d time.Duration) bool {
	c := &http.Client{Timeout: time.Second}
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if resp, err := c.Get(a.base + "/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return true
			}
		}
	}
	return false
}

// peakRSS is the emulator's peak resident set (VmHWM), in bytes.
func (a *abuser) peakRSS() int64 {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", a.pid))
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func minimal(name string) map[string]any {
	return map[string]any{
		"name": name, "type": 1, "req_protocol": "HTTPS", "req_method": "GET", "req_uri": "/abuse/" + name,
		"auth_type": "NONE", "backend_type": "MOCK", "group_id": group,
		"mock_info": map[string]any{"result_content": "ok"},
	}
}

func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func encode(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

type answer struct {
	status int
	code   string
	body   []byte
	err    error
}

// vendor reports whether the answer has the vendor's error body (or is a success).
func (r answer) vendor() bool {
	if r.err != nil {
		return false
	}
	if r.status < 300 {
		return true
	}
	return r.code != ""
}

func (a *abuser) post(path string, body []byte, contentType string) answer {
	req, _ := http.NewRequest("POST", a.base+path, bytes.NewReader(body))
	req.Header.Set("X-Auth-Token", token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return a.do(req)
}

func (a *abuser) do(req *http.Request) answer {
	resp, err := a.client.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var e struct {
		Code string `json:"error_code"`
	}
	_ = json.Unmarshal(data, &e)
	return answer{status: resp.StatusCode, code: e.Code, body: data}
}

func (a *abuser) create(m map[string]any) answer {
	return a.post(romaPath, encode(m), "application/json")
}

// idleConnections: more idle keep-alive connections than the emulator has files. A fresh
// caller must still be served once the idle timeout has passed.
func (a *abuser) idleConnections() result {
	n := 300
	var conns []net.Conn
	for i := 0; i < n; i++ {
		c, err := net.DialTimeout("tcp", a.addr, time.Second)
		if err != nil {
			break
		}
		conns = append(conns, c)
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	time.Sleep(3 * time.Second) // past the idle timeout the emulator was given
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(a.base + "/health")
	if err != nil {
		return result{"idle connections", false, fmt.Sprintf("%d idle connections held, then a fresh request failed: %v", len(conns), err)}
	}
	resp.Body.Close()
	closed := 0
	for _, c := range conns {
		c.SetReadDeadline(time.Now().Add(10 * time.Millisecond)) //nolint:errcheck
		if _, err := c.Read(make([]byte, 1)); err == io.EOF {
			closed++
		}
	}
	return result{"idle connections", resp.StatusCode == 200, fmt.Sprintf("%d idle connections, %d closed by the emulator, fresh request %d", len(conns), closed, resp.StatusCode)}
}

// slowBodies: connections that announce a body and send one byte of it.
func (a *abuser) slowBodies() result {
	n := 200
	if a.short {
		n = 50
	}
	var conns []net.Conn
	for i := 0; i < n; i++ {
		c, err := net.DialTimeout("tcp", a.addr, time.Second)
		if err != nil {
			break
		}
		fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nX-Auth-Token: %s\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{", romaPath, token)
		conns = append(conns, c)
	}
	// The read timeout is 2s; connections past the cap wait their turn, so allow 8s in all.
	closed := 0
	end := time.Now().Add(8 * time.Second)
	for _, c := range conns {
		c.SetReadDeadline(end) //nolint:errcheck
		if _, err := io.ReadAll(c); err == nil {
			closed++
		}
		c.Close()
	}
	return result{"slow bodies", closed == len(conns) && len(conns) > 0, fmt.Sprintf("%d of %d slow-body connections closed within 8s", closed, len(conns))}
}

// flood: far more concurrent creates than the in-flight cap; every answer is a success or a
// vendor error, and the emulator still answers afterwards.
func (a *abuser) flood() result {
	n := 600
	if a.short {
		n = 300
	}
	var mu sync.Mutex
	counts := map[string]int{}
	var wg sync.WaitGroup
	tr := &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: 0, DisableKeepAlives: true}
	c := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			req, _ := http.NewRequest("POST", a.base+romaPath, bytes.NewReader(encode(minimal(fmt.Sprintf("flood_%d", i)))))
			req.Header.Set("X-Auth-Token", token)
			req.Header.Set("Content-Type", "application/json")
			r := a.doWith(c, req)
			key := "not vendor"
			if r.vendor() {
				key = strconv.Itoa(r.status) + " " + r.code
			}
			mu.Lock()
			counts[strings.TrimSpace(key)]++
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	ok := counts["not vendor"] == 0 && a.waitHealthy(5*time.Second)
	return result{"flood", ok, fmt.Sprintf("%d concurrent creates: %v", n, counts)}
}

func (a *abuser) doWith(c *http.Client, req *http.Request) answer {
	saved := a.client
	defer func() { a.client = saved }()
	a.client = c
	return a.do(req)
}

// hugeArrays: a 1 MiB body of request parameters (the catalog's 13,938) must be refused.
func (a *abuser) hugeArrays() result {
	params := []any{}
	body := []byte{}
	for i := 0; ; i++ {
		params = append(params, map[string]any{"name": fmt.Sprintf("p%d", i), "type": "STRING", "location": "QUERY", "remark": "r"})
		if i%100 == 0 {
			body = encode(with(minimal("huge_params"), "req_params", params))
			if len(body) > 1<<20-8000 {
				break
			}
		}
	}
	r := a.post(romaPath, body, "application/json")
	return result{"1 MiB of req_params", r.status == 400 && r.code == "APIG.2011",
		fmt.Sprintf("%d req_params in %d bytes: %d %s", len(params), len(body), r.status, r.code)}
}

// largestBodiesRSS: creates and queries of the largest bodies the emulator takes (1 MiB),
// 64 at a time (16 with --short); the emulator's peak RSS must stay within what its caps
// allow, and every API it acknowledged must be there. Under this load some creates are
// refused (429, or 503 and 400 when the short timeouts the abuse run sets pass): they are
// counted, not judged.
func (a *abuser) largestBodiesRSS() result {
	n, parallel := 300, 64
	if a.short {
		n, parallel = 60, 16
	}
	before := a.peakRSS()
	big := strings.Repeat("x", 1<<20-600)
	ids := make(chan string, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, parallel)
	created := 0
	statuses := map[string]int{}
	var mu sync.Mutex
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			m := with(minimal(fmt.Sprintf("big_%d", i)), "mock_info", map[string]any{"result_content": big})
			r := a.create(m)
			mu.Lock()
			switch {
			case r.vendor():
				statuses[strings.TrimSpace(strconv.Itoa(r.status)+" "+r.code)]++
			case r.err != nil:
				statuses["error: "+r.err.Error()]++
			default:
				statuses["not vendor: "+strconv.Itoa(r.status)]++
			}
			mu.Unlock()
			if r.status == 201 {
				var v struct {
					ID string `json:"id"`
				}
				_ = json.Unmarshal(r.body, &v)
				ids <- v.ID
				mu.Lock()
				created++
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	close(ids)
	queried := 0
	for id := range ids {
		sem <- struct{}{}
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			defer func() { <-sem }()
			// A throttled or timed-out query is retried: the API is there.
			for try := 0; try < 5; try++ {
				req, _ := http.NewRequest("GET", a.base+"/v1/"+project+"/apic/instances/"+instance+"/apis/"+id, nil)
				req.Header.Set("X-Auth-Token", token)
				r := a.do(req)
				if r.status == 200 {
					mu.Lock()
					queried++
					mu.Unlock()
					return
				}
				if r.status != 429 && r.status != 503 {
					return
				}
				time.Sleep(time.Second)
			}
		}(id)
	}
	wg.Wait()
	peak := a.peakRSS()
	// 64 requests in flight (the emulator's cap) holding about 8 MiB each at their peak, the
	// 64 MiB answer cache, and the process itself.
	const bound = 640 << 20
	return result{"1 MiB bodies, peak RSS", created > 0 && queried == created && peak < bound,
		fmt.Sprintf("creates %v, %d queried (%d at a time); peak RSS %d MB before, %d MB after (bound %d MB)", statuses, queried, parallel, before>>20, peak>>20, bound>>20)}
}

// invalidUTF8Route: three creates whose req_uri differ only in invalid bytes must not all get
// the same route.
func (a *abuser) invalidUTF8Route() result {
	created := 0
	for i, bad := range []string{"\xff", "\xfe", "\xc3"} {
		body := bytes.Replace(encode(minimal(fmt.Sprintf("utf8_route_%d", i))), []byte(fmt.Sprintf("/abuse/utf8_route_%d", i)), []byte("/abuse/utf8_route"+bad), 1)
		if a.post(romaPath, body, "application/json").status == 201 {
			created++
		}
	}
	return result{"invalid UTF-8 in req_uri", created == 0, fmt.Sprintf("%d of 3 created", created)}
}

func (a *abuser) badRequestURIs() result {
	refused, detail := 0, []string{}
	for i, uri := range []string{"", "no slash\r\n<x>", "/a\x00b", "/a b"} {
		r := a.create(with(minimal(fmt.Sprintf("bad_uri_%d", i)), "req_uri", uri))
		if r.status == 400 && r.vendor() {
			refused++
		}
		detail = append(detail, fmt.Sprintf("%q: %d %s", uri, r.status, r.code))
	}
	return result{"bad req_uri", refused == 4, strings.Join(detail, ", ")}
}

func (a *abuser) freeTextUTF8() result {
	body := bytes.Replace(encode(with(minimal("utf8_remark"), "remark", "REMARK")), []byte("REMARK"), []byte("ok\xff"), 1)
	r := a.post(romaPath, body, "application/json")
	return result{"invalid UTF-8 in remark", r.status == 400 && r.vendor(), fmt.Sprintf("%d %s", r.status, r.code)}
}

func (a *abuser) manyTags() result {
	n := 100000
	tags := make([]any, n)
	for i := range tags {
		tags[i] = "t" + strconv.Itoa(i%10)
	}
	r := a.create(with(minimal("many_tags"), "tags", tags))
	return result{"100,000 tags", r.status == 400 && r.vendor(), fmt.Sprintf("%d %s", r.status, r.code)}
}

func (a *abuser) contentType() result {
	r := a.post(romaPath, encode(minimal("text_plain")), "text/plain")
	return result{"Content-Type text/plain", r.status == 400 && r.vendor(), fmt.Sprintf("%d %s", r.status, r.code)}
}

func (a *abuser) integerSpellings() result {
	refused, detail := 0, []string{}
	for i, v := range []string{"1.0000000000000000001", "1e3", "1.0"} {
		body := bytes.Replace(encode(minimal(fmt.Sprintf("int_%d", i))), []byte(`"type":1`), []byte(`"type":`+v), 1)
		r := a.post(romaPath, body, "application/json")
		if r.status == 400 && r.vendor() {
			refused++
		}
		detail = append(detail, fmt.Sprintf("%s: %d %s", v, r.status, r.code))
	}
	return result{"integer spellings", refused == 3, strings.Join(detail, ", ")}
}

// raw sends a request as bytes and reads the status and whether the body is a vendor error.
func (a *abuser) raw(request string) (int, bool, error) {
	c, err := net.DialTimeout("tcp", a.addr, time.Second)
	if err != nil {
		return 0, false, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second)) //nolint:errcheck
	if _, err := io.WriteString(c, request); err != nil {
		return 0, false, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0, false, err
	}
	defer resp.Body.Close()
	var e struct {
		Code string `json:"error_code"`
	}
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, json.Unmarshal(data, &e) == nil && e.Code != "", nil
}

func (a *abuser) netHTTPErrors() result {
	reqs := map[string]string{
		"%zz":      "GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n",
		"no Host":  "GET /health HTTP/1.1\r\n\r\n",
		"431":      "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 1<<20+1) + "\r\n\r\n",
		"TE gzip":  "POST /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
		"garbage":  "GARBAGE\r\n\r\n",
		"OPTIONS*": "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
	}
	vendor, detail := 0, []string{}
	for _, name := range []string{"%zz", "no Host", "431", "TE gzip", "garbage", "OPTIONS*"} {
		status, ok, err := a.raw(reqs[name])
		if ok {
			vendor++
		}
		if err != nil {
			detail = append(detail, fmt.Sprintf("%s: %v", name, err))
		} else {
			detail = append(detail, fmt.Sprintf("%s: %d vendor=%v", name, status, ok))
		}
	}
	return result{"net/http errors", vendor == len(reqs), strings.Join(detail, ", ")}
}

func (a *abuser) options() result {
	status, ok, err := a.raw("OPTIONS " + romaPath + " HTTP/1.1\r\nHost: x\r\nX-Auth-Token: " + token + "\r\n\r\n")
	return result{"OPTIONS on a route", err == nil && status == 405 && ok, fmt.Sprintf("%d vendor=%v %v", status, ok, err)}
}

// frozenStore: another process holds the SQLite write lock; a create must get a vendor answer
// within the emulator's request timeout (3s here) plus a margin.
func (a *abuser) frozenStore() result {
	db, err := sql.Open("sqlite", a.dbPath)
	if err != nil {
		return result{"frozen store", false, err.Error()}
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		return result{"frozen store", false, err.Error()}
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		return result{"frozen store", false, err.Error()}
	}
	defer conn.ExecContext(context.Background(), "ROLLBACK") //nolint:errcheck
	started := time.Now()
	r := a.create(minimal("frozen"))
	took := time.Since(started)
	held := r.vendor() && r.status >= 500 && took < 6*time.Second
	return result{"frozen store", held, fmt.Sprintf("%d %s after %.1fs", r.status, r.code, took.Seconds())}
}
