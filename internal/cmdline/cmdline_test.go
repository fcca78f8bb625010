package cmdline

import (
	"bytes"
	"flag"
	"io"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func parse(args ...string) (code int, done bool, stdout, stderr string) {
	fs := flag.NewFlagSet("tool", flag.ContinueOnError)
	fs.String("format", "text", "output format")
	var out, errb bytes.Buffer
	code, done = Parse(fs, args, &out, &errb, func(w io.Writer) {
		io.WriteString(w, "usage: tool\n") //nolint:errcheck
		PrintFlags(fs, w)
	})
	return code, done, out.String(), errb.String()
}

func TestHelpGoesToStdoutOnce(t *testing.T) {
	for _, h := range []string{"--help", "-h", "-help"} {
		code, done, out, errOut := parse(h)
		assert.Equal(t, OK, code)
		assert.True(t, done)
		assert.Equal(t, 1, bytes.Count([]byte(out), []byte("usage: tool")), out)
		assert.Contains(t, out, "-format")
		assert.Contains(t, out, "-version")
		assert.Empty(t, errOut)
	}
}

func TestVersion(t *testing.T) {
	code, done, out, _ := parse("--version")
	assert.Equal(t, OK, code)
	assert.True(t, done)
	assert.Regexp(t, `^tool \S+.* go1\.`, out)
}

func TestFlagErrorsExitTwo(t *testing.T) {
	code, done, out, errOut := parse("--nope")
	assert.Equal(t, Usage, code)
	assert.True(t, done)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "flag provided but not defined: -nope")
	assert.Contains(t, errOut, "run 'tool --help' for usage")
	assert.NotContains(t, errOut, "usage: tool")
}

func TestParsedArgsContinue(t *testing.T) {
	code, done, _, _ := parse("--format", "json")
	assert.Equal(t, OK, code)
	assert.False(t, done)
}

func TestVersionOfBuildInfo(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"},
			{Key: "vcs.modified", Value: "true"}, {Key: "vcs.time", Value: "2026-11-29T00:00:00Z"}}}
	assert.Equal(t, "x v1.2.3 0123456789ab-dirty 2026-11-29T00:00:00Z go1.26.8", versionOf("x", bi))
	assert.Equal(t, "x (devel) go1.26.8", versionOf("x", &debug.BuildInfo{GoVersion: "go1.26.8"}))
	bi.Main.Version = "v0.0.0-20261129231301-0123456789ab+dirty"
	assert.Equal(t, "x v0.0.0-20261129231301-0123456789ab+dirty go1.26.8", versionOf("x", bi), "the pseudo-version names the commit")
}
