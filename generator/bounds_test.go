package generator

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A schema bound becomes the integer bound that admits the same integers, and never wraps.
func TestIntBound(t *testing.T) {
	for _, tc := range []struct {
		bound float64
		lower bool
		want  int64
	}{
		{1.5, true, 2}, {-1.5, false, -2}, {1, true, 1}, {9.5, false, 9},
		{9223372036854775807, false, math.MaxInt64}, // 2^63 as a float64: no wrap to -2^63
		{-9223372036854775808, true, math.MinInt64},
		{1e300, false, math.MaxInt64}, {-1e300, true, math.MinInt64},
	} {
		assert.Equal(t, tc.want, intBound(tc.bound, tc.lower), "%v lower=%v", tc.bound, tc.lower)
	}
}
