package features_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/generator/golden/features"
)

// document returns a valid body with every kind of optional member (strings, escaped ones,
// enums in another case, booleans, integers, numbers, arrays, objects), n tags (strings
// longer than the rest of the document), and seed in its strings, so that documents differ.
func document(seed, n int) []byte {
	var params, tags []string
	for i := range n % 4 {
		params = append(params, fmt.Sprintf(`{"name":"p%d_%d","location":"QUERY"}`, seed, i))
	}
	for i := range n {
		tags = append(tags, fmt.Sprintf(`"tag %d of %d"`, i, seed))
	}
	return fmt.Appendf(nil, `{"name":"t_%d","kind":1,"method":"get","backend_type":"HTTP",
		"backend":{"timeout":10,"url_domain":"a%d:80","retries":%d},
		"caption":"caf\u00e9 \"%d\"\n","cors":true,"label":"l%d","level":%d,"note":"n%d",
		"ratio":0.05,"remark":"r%d","uri":"/a/b%d","params":[%s],"tags":[%s]}`,
		seed, seed, seed%5+1, seed, seed, seed%8+2, seed, seed, seed,
		strings.Join(params, ","), strings.Join(tags, ","))
}

// oracle decodes data with encoding/json: the values DecodeJSON must produce.
func oracle(t testing.TB, data []byte) features.CreateThingRequest {
	var want features.CreateThingRequest
	require.NoError(t, json.Unmarshal(data, &want))
	return want
}

// The decoded values share no memory with the input, nor with the values of other documents
// decoded before or after them: the decoder's blocks and pooled state are never handed out
// twice.
func TestDecodedValuesOwnTheirMemory(t *testing.T) {
	data := document(1, 40) // more optional members and items than a block holds
	want := oracle(t, data)
	var got features.CreateThingRequest
	require.NoError(t, got.DecodeJSON(data))
	require.Equal(t, want, got)

	for i := range data {
		data[i] = ' '
	}
	for seed := 2; seed < 50; seed++ {
		var other features.CreateThingRequest
		doc := document(seed, seed%7)
		require.NoError(t, other.DecodeJSON(doc))
		require.Equal(t, oracle(t, doc), other)
	}
	require.Equal(t, want, got)
}

// Documents decoded at the same time get their own values.
func TestConcurrentDecodes(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				doc := document(g*100+i, i%6)
				var got features.CreateThingRequest
				if err := got.DecodeJSON(doc); err != nil {
					t.Error(err)
					return
				}
				want := oracle(t, doc)
				if !assertEqual(t, want, got) {
					return
				}
			}
		})
	}
	wg.Wait()
}

func assertEqual(t *testing.T, want, got features.CreateThingRequest) bool {
	a, _ := json.Marshal(want)
	b, _ := json.Marshal(got)
	if string(a) != string(b) {
		t.Errorf("decoded %s, want %s", b, a)
		return false
	}
	return true
}
