package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHelpVersionAndUsageErrors(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, 0, run([]string{"--help"}, nil, &out, &errOut))
	assert.Contains(t, out.String(), "usage: apicbreaking")
	assert.Empty(t, errOut.String())
	out.Reset()
	assert.Equal(t, 0, run([]string{"--version"}, nil, &out, &errOut))
	assert.Regexp(t, `^apicbreaking \S+`, out.String())
	assert.Equal(t, 2, run(nil, nil, &out, &errOut))
	assert.Equal(t, 2, run([]string{"--format", "xml", "HEAD"}, nil, &out, &errOut))
}

// A spec without changes is an empty list in JSON, not null.
func TestJSONEmptyListsAreArrays(t *testing.T) {
	gitRepo(t, tiny) // a repository of its own: the tree equals HEAD whatever the real tree holds
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"--format", "json", "HEAD", "spec/a.yaml"}, nil, &out, &errOut), errOut.String())
	var report map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(out.Bytes(), &report))
	assert.JSONEq(t, "[]", string(report["spec/a.yaml"]))
}
