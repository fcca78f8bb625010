package generator

import (
	"math/rand"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The rune-loop matchers agree with regexp on every pattern shape they take, over strings
// built from the characters the patterns mention and a few others.
func TestClassMatchersAgreeWithRegexp(t *testing.T) {
	patterns := []string{
		`^[A-Za-z][A-Za-z0-9_]{2,63}$`, `^[A-Za-z][A-Za-z0-9._-]*$`, `^[^<>]*$`,
		`^[A-Za-z一-龥][A-Za-z0-9一-龥_-]*$`, `^[A-Za-z0-9一-龥][A-Za-z0-9一-龥_./():（）：、-]*$`,
		`^[A-Za-z][A-Za-z0-9._-]{0,31}$`, `^\$context\.authorizer\.frontend\.`, `^ab?$`, `^a+$`, `^[0-9]$`, `^$`,
	}
	alphabet := []rune("aZ09_-.<>/():（）：、一龥汉 $context.authorizer.frontend.\n")
	rng := rand.New(rand.NewSource(1))
	for _, p := range patterns {
		m, ok := compileClasses(p)
		if !assert.True(t, ok, p) {
			continue
		}
		re := regexp.MustCompile(p)
		samples := []string{"", "$context.authorizer.frontend.x", "abc", "a", "ab", "汉字_1"}
		for i := 0; i < 3000; i++ {
			n := rng.Intn(70)
			r := make([]rune, n)
			for j := range r {
				r[j] = alphabet[rng.Intn(len(alphabet))]
			}
			samples = append(samples, string(r))
		}
		for _, s := range samples {
			assert.Equal(t, re.MatchString(s), m.match(s), "%s on %q", p, s)
		}
	}
	for _, p := range []string{`^(-1|[0-9]|10)$`, `^(?:[Gg][Ee][Tt])$`, `^[a-z]*[0-9]$`, `[a-z]`} {
		_, ok := compileClasses(p)
		assert.False(t, ok, "%s needs regexp", p)
	}
}
