package validation

import (
	"strconv"
	"testing"

	"github.com/go-faster/jx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type named string

type pair struct{ a, b string }

// Every pointer Ptr hands out in a document is its own and keeps its value, past the first
// slabs and for every kind of value; outside a decode (another decoder, no root) each value is
// allocated on its own.
func TestPtrHandsOutEachSlotOnce(t *testing.T) {
	st := &decodeState{}
	st.doc = document{size: 64}
	st.root = Path{index: -1, dec: &st.d}
	p := st.root.Key("member")
	d := &st.d
	var strs []*string
	var names []*named
	var ints []*int32
	var floats []*float64
	var bools []*bool
	var slices []*[]int
	var pairs []*pair
	const n = 3 * slab
	for i := range n {
		s := strconv.Itoa(i)
		strs = append(strs, Ptr(d, &p, s))
		names = append(names, Ptr(d, &p, named("n"+s)))
		ints = append(ints, Ptr(d, &p, int32(-i)))
		floats = append(floats, Ptr(d, &p, float64(i)/2))
		bools = append(bools, Ptr(d, &p, i%2 == 0))
		slices = append(slices, Ptr(d, &p, []int{i, i}))
		pairs = append(pairs, Ptr(d, &p, pair{s, s}))
	}
	for i := range n {
		s := strconv.Itoa(i)
		assert.Equal(t, s, *strs[i])
		assert.Equal(t, named("n"+s), *names[i])
		assert.Equal(t, int32(-i), *ints[i])
		assert.Equal(t, float64(i)/2, *floats[i])
		assert.Equal(t, i%2 == 0, *bools[i])
		assert.Equal(t, []int{i, i}, *slices[i])
		assert.Equal(t, pair{s, s}, *pairs[i])
	}
	require.NotNil(t, docOf(d, &p))
	other := jx.DecodeStr(`"x"`)
	assert.Nil(t, docOf(other, &p), "another decoder has no allocator")
	assert.Nil(t, docOf(d, nil))
	free := Path{index: -1}
	assert.Nil(t, docOf(d, &free), "a root of its own")
	assert.Equal(t, "x", *Ptr(other, &p, "x"))
}

// Strings are copied into the document's text blocks, which grow past the first one.
func TestDocumentStringsAreCopies(t *testing.T) {
	doc := &document{size: 10}
	src := []byte("0123456789")
	var got []string
	for i := range 20 {
		got = append(got, doc.string(src[:i%10+1]))
	}
	for i := range src {
		src[i] = 'x'
	}
	for i, s := range got {
		assert.Equal(t, "0123456789"[:i%10+1], s)
	}
	assert.Equal(t, "", doc.string(nil))
	var none *document
	assert.Equal(t, "ab", none.string([]byte("ab")))
}
