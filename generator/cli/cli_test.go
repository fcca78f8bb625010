package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/generator"
)

func TestCheckReportsMissingDifferingAndStaleFiles(t *testing.T) {
	root := t.TempDir()
	files := map[string][]byte{
		"gen/a.gen.go": []byte(generator.Header + "package gen\n"),
		"gen/b.gen.go": []byte(generator.Header + "package gen\n// b\n"),
	}
	require.NoError(t, write(root, files))
	assert.Empty(t, Check(root, files))

	require.NoError(t, os.WriteFile(filepath.Join(root, "gen/b.gen.go"), []byte(generator.Header+"package gen\n// edited\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "gen/old.gen.go"), []byte(generator.Header+"package gen\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "gen/hand_test.go"), []byte("package gen\n"), 0o644))
	require.NoError(t, os.Remove(filepath.Join(root, "gen/a.gen.go")))
	got := strings.Join(Check(root, files), "\n")
	assert.Contains(t, got, "missing: gen/a.gen.go")
	assert.Contains(t, got, "differs: gen/b.gen.go")
	assert.Contains(t, got, "-// edited")
	assert.Contains(t, got, "stale: gen/old.gen.go")
	assert.NotContains(t, got, "hand_test.go")
}

func TestUsageErrorsExitTwo(t *testing.T) {
	var out, errb strings.Builder
	assert.Equal(t, ExitFailure, Run([]string{}, nil, &out, &errb))
	assert.Contains(t, errb.String(), "usage: apicgen")
	assert.Equal(t, ExitFailure, Run([]string{"-root", t.TempDir(), "generate"}, nil, &out, &errb))
	assert.Contains(t, errb.String(), "go.mod")
}

// `generate` removes what `check` reports as stale, and keeps hand-written files.
func TestGenerateRemovesStaleFiles(t *testing.T) {
	root := t.TempDir()
	files := map[string][]byte{"gen/a.gen.go": []byte(generator.Header + "package gen\n")}
	require.NoError(t, os.MkdirAll(filepath.Join(root, "gen"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "gen/old.gen.go"), []byte(generator.Header+"package gen\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "gen/hand_test.go"), []byte("package gen\n"), 0o644))
	require.NoError(t, write(root, files))
	require.NoError(t, removeStale(root, files))
	assert.NoFileExists(t, filepath.Join(root, "gen/old.gen.go"))
	assert.FileExists(t, filepath.Join(root, "gen/hand_test.go"))
	assert.Empty(t, Check(root, files))
}

func TestHelpAndVersion(t *testing.T) {
	var out, errb strings.Builder
	assert.Equal(t, ExitOK, Run([]string{"--help"}, nil, &out, &errb))
	assert.Contains(t, out.String(), "usage: apicgen")
	assert.Contains(t, out.String(), "-root")
	assert.Empty(t, errb.String())
	out.Reset()
	assert.Equal(t, ExitOK, Run([]string{"--version"}, nil, &out, &errb))
	assert.Contains(t, out.String(), "apicgen ")
	assert.Equal(t, ExitFailure, Run([]string{"--nope"}, nil, &out, &errb))
}
