package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/apiclab/apic/server/store/storetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain lets the test binary run the emulator itself in a child process, so that tests can
// kill it with SIGKILL like a real crash.
func TestMain(m *testing.M) {
	if args := os.Getenv("APICEMU_CHILD_ARGS"); args != "" {
		os.Exit(run(strings.Split(args, "\x1f"), os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// child starts the emulator in a child process and returns its base URL.
func child(t *testing.T, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "APICEMU_CHILD_ARGS="+strings.Join(append([]string{"--addr", "127.0.0.1:0", "--log-level", "warn"}, args...), "\x1f"))
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() }) //nolint:errcheck
	lines := bufio.NewScanner(out)
	deadline := time.After(30 * time.Second)
	found := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if u, ok := strings.CutPrefix(lines.Text(), "apicemu: listening on "); ok {
				found <- u
			}
		}
	}()
	select {
	case u := <-found:
		return cmd, u
	case <-deadline:
		t.Fatal("the emulator did not start")
	}
	return nil, ""
}

const (
	project  = "73d69ae0cfcf460190522d06b60f05ad"
	instance = "eddc4d25480b4cd6b512f270a1b8b341"
)

func create(base, name string) (string, int, error) {
	body, _ := json.Marshal(map[string]any{
		"name": name, "type": 1, "req_protocol": "HTTPS", "req_method": "GET", "req_uri": "/crash/" + name,
		"auth_type": "NONE", "backend_type": "MOCK", "group_id": "c77f5e81d9cb4424bf704ef2b0ac7600",
		"mock_info": map[string]any{"result_content": "ok"},
	})
	req, _ := http.NewRequest("POST", base+"/v2/"+project+"/apic/instances/"+instance+"/apis", bytes.NewReader(body))
	req.Header.Set("X-Auth-Token", "emulator-token")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	var out struct {
		ID string `json:"id"`
	}
	json.NewDecoder(resp.Body).Decode(&out) //nolint:errcheck
	return out.ID, resp.StatusCode, nil
}

func crashDSNs() map[string]func(t *testing.T) string {
	return map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "data", "apicemu.db") },
		"postgres": func(t *testing.T) string { return storetest.SchemaOrSkip(t) },
	}
}

// Every create that was answered 201 survives a SIGKILL in the middle of concurrent writes.
func TestAcknowledgedCreatesSurviveKill9(t *testing.T) {
	for name, dsnOf := range crashDSNs() {
		t.Run(name, func(t *testing.T) {
			dsn := dsnOf(t)
			cmd, base := child(t, "--store", dsn)
			var acked sync.Map
			var n atomic.Int64
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			for w := 0; w < 16; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					for i := 0; ctx.Err() == nil; i++ {
						id, status, err := create(base, fmt.Sprintf("crash_%d_%d", w, i))
						if err != nil {
							return // the server is gone
						}
						if status == http.StatusCreated {
							acked.Store(id, true)
							n.Add(1)
						}
					}
				}(w)
			}
			deadline := time.Now().Add(30 * time.Second)
			for n.Load() < 200 {
				if time.Now().After(deadline) {
					cancel()
					t.Fatalf("only %d creates acknowledged in 30 s", n.Load())
				}
				time.Sleep(10 * time.Millisecond)
			}
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			cmd.Wait() //nolint:errcheck
			cancel()
			wg.Wait()

			_, base = child(t, "--store", dsn)
			count := 0
			acked.Range(func(k, _ any) bool {
				count++
				req, _ := http.NewRequest("GET", base+"/v1/"+project+"/apic/instances/"+instance+"/apis/"+k.(string), nil)
				req.Header.Set("X-Auth-Token", "emulator-token")
				resp, err := http.DefaultClient.Do(req)
				if assert.NoError(t, err) {
					assert.Equal(t, http.StatusOK, resp.StatusCode, "acknowledged API %s lost", k)
					resp.Body.Close()
				}
				return true
			})
			t.Logf("%d acknowledged creates, all present after kill -9 and restart", count)
			assert.GreaterOrEqual(t, count, 200)
		})
	}
}

// SIGTERM shuts the emulator down cleanly (exit 0).
func TestGracefulShutdown(t *testing.T) {
	cmd, base := child(t, "--store", ":memory:")
	resp, err := http.Get(base + "/health")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	assert.NoError(t, cmd.Wait())
}

func TestHelpAndBadFlags(t *testing.T) {
	var out, errb bytes.Buffer
	assert.Equal(t, 0, run([]string{"--help"}, nil, &out, &errb))
	assert.Contains(t, out.String(), "-store")
	assert.Contains(t, out.String(), "APICEMU_STORE")
	assert.Equal(t, 2, run([]string{"--log-level", "loud"}, nil, &out, &errb))
	assert.Equal(t, 2, run([]string{"--fixtures", "/nonexistent.yaml"}, nil, &out, &errb))
}

// Every limit has a flag and an environment variable, both listed by --help; a variable that
// does not parse is a usage error.
func TestLimitFlagsAndVariables(t *testing.T) {
	var out, errb bytes.Buffer
	assert.Equal(t, 0, run([]string{"--help"}, nil, &out, &errb))
	for _, name := range []string{"read-timeout", "write-timeout", "idle-timeout", "request-timeout", "max-conns", "max-inflight", "cache-bytes"} {
		assert.Contains(t, out.String(), "-"+name) // --help prints on stdout
		assert.Contains(t, out.String(), "APICEMU_"+strings.ToUpper(strings.ReplaceAll(name, "-", "_")))
	}
	t.Setenv("APICEMU_MAX_INFLIGHT", "many")
	errb.Reset()
	assert.Equal(t, 2, run([]string{"--store", ":memory:"}, nil, &out, &errb))
	assert.Contains(t, errb.String(), "APICEMU_MAX_INFLIGHT")
	t.Setenv("APICEMU_MAX_INFLIGHT", "8")
	t.Setenv("APICEMU_IDLE_TIMEOUT", "soon")
	assert.Equal(t, 2, run([]string{"--store", ":memory:"}, nil, &out, &errb))
}

// The connection cap leaves room for the store under the open-files limit.
func TestConnectionCapFitsOpenFiles(t *testing.T) {
	var rl syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl))
	assert.Equal(t, 10, fitOpenFiles(10))
	assert.LessOrEqual(t, fitOpenFiles(int(rl.Cur)+1000), max(1, int(rl.Cur)-64))
}
