package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gitRepo makes a repository in a new directory, changes into it, and commits spec/a.yaml
// with the given content (none: a commit without it).
func gitRepo(t *testing.T, spec string) {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-c", "user.email=t@example.com", "-c", "user.name=t"}, args...)...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	git("init", "-q")
	require.NoError(t, os.MkdirAll("spec", 0o755))
	require.NoError(t, os.WriteFile("README", []byte("x"), 0o644))
	if spec != "" {
		require.NoError(t, os.WriteFile(filepath.Join("spec", "a.yaml"), []byte(spec), 0o644))
	}
	git("add", "-A")
	git("commit", "-qm", "base")
}

const tiny = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"

// "0 breaking changes" must mean that the specs were compared and nothing breaks.
func TestNoFalseGreen(t *testing.T) {
	run1 := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(args, nil, &out, &errb)
		return code, out.String(), errb.String()
	}
	t.Run("outside a repository", func(t *testing.T) {
		t.Chdir(t.TempDir())
		code, _, stderr := run1("HEAD")
		assert.Equal(t, 2, code)
		assert.Contains(t, stderr, "not inside a git work tree")
	})
	t.Run("unknown ref", func(t *testing.T) {
		gitRepo(t, tiny)
		code, _, stderr := run1("no-such-ref")
		assert.Equal(t, 2, code)
		assert.Contains(t, stderr, `unknown git ref "no-such-ref"`)
	})
	t.Run("no specs", func(t *testing.T) {
		gitRepo(t, "")
		code, _, stderr := run1("HEAD")
		assert.Equal(t, 2, code)
		assert.Contains(t, stderr, "no OpenAPI files in spec/")
	})
	t.Run("spec missing at BASE", func(t *testing.T) {
		gitRepo(t, "")
		require.NoError(t, os.WriteFile(filepath.Join("spec", "a.yaml"), []byte(tiny), 0o644))
		code, stdout, _ := run1("HEAD")
		assert.Equal(t, 0, code, "a new spec breaks nothing")
		assert.Contains(t, stdout, "spec-added spec/a.yaml: not in HEAD: everything in it is new")
	})
	t.Run("unchanged", func(t *testing.T) {
		gitRepo(t, tiny)
		code, stdout, _ := run1("HEAD")
		assert.Equal(t, 0, code)
		assert.Contains(t, stdout, "0 breaking changes since HEAD")
	})
}
