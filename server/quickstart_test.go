package server_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/server"
	"github.com/apiclab/apic/server/fixtures"
	"github.com/apiclab/apic/server/store"
)

// The quickstart is a module of its own that imports only the generated client packages. It
// is built here, its dependency list is checked, and it drives the emulator with AK/SK:
// create, show, a list walked with the iterator, a body refused before sending, a delete, and
// a vendor error unwrapped with errors.As.
func TestQuickstartModuleDrivesTheEmulator(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a separate module")
	}
	dir := filepath.Join("..", "examples", "quickstart")
	deps, err := exec.Command("go", "-C", dir, "list", "-deps", "-f", "{{.ImportPath}}", ".").CombinedOutput()
	require.NoError(t, err, "%s", deps)
	for _, dep := range strings.Fields(string(deps)) {
		for _, banned := range []string{"github.com/labstack/echo", "github.com/getkin/kin-openapi", "modernc.org/sqlite", "github.com/jackc/pgx"} {
			assert.False(t, strings.HasPrefix(dep, banned), "the client-only program links %s", dep)
		}
		assert.NotEqual(t, "database/sql", dep)
	}
	bin := filepath.Join(t.TempDir(), "quickstart")
	out, err := exec.Command("go", "-C", dir, "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)

	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "db"))
	require.NoError(t, err)
	defer st.Close()
	srv, err := server.New(server.Options{Store: st, Fixtures: fixtures.Default()})
	require.NoError(t, err)
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()

	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "APIC_ENDPOINT="+hs.URL, "APIC_AK=EMULATORACCESSKEY001", "APIC_SK=emulator-secret-key-0001",
		"APIC_PROJECT="+project, "APIC_INSTANCE="+instance)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "stderr: %s", stderr.String())
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	require.Len(t, lines, 6, stdout.String())
	created := regexp.MustCompile(`^created (quickstart_\d+) \(([0-9a-f]{32})\)$`).FindStringSubmatch(lines[0])
	require.NotNil(t, created, lines[0])
	name, id := created[1], created[2]
	assert.Equal(t, "shown "+name+" GET /quickstart/"+name, lines[1])
	assert.Equal(t, "listed 1 API(s) named quickstart_*, "+name+" among them: true", lines[2])
	assert.Equal(t, "not sent: name minLength", lines[3])
	assert.Equal(t, "deleted "+id+": status 204", lines[4])
	assert.Equal(t, "vendor error: status 404, code APIG.3002, request id set: true", lines[5])
}
