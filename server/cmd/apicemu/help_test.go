package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestVersionAndStartFailures(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 0, run([]string{"--version"}, nil, &out, &errOut))
	assert.Regexp(t, `^apicemu \S+`, out.String())
	// A command that cannot start is a tool error: 2, with the reason on stderr.
	for _, args := range [][]string{{"--nope"}, {"--addr", "127.0.0.1:-1", "--store", ":memory:"}, {"--log-format", "xml"},
		{"--fault", "CreateApiV2"}, {"--store", ":memory:", "--fault", "NoSuchOperation:status=500"}} {
		out.Reset()
		errOut.Reset()
		assert.Equal(t, 2, run(args, nil, &out, &errOut), "%v", args)
		assert.NotEmpty(t, errOut.String(), "%v", args)
	}
}
