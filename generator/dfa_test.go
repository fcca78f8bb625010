package generator

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/dave/jennifer/jen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// specPatterns returns every pattern of the specs and of the generator's own test spec.
func specPatterns(t *testing.T) []string {
	var out []string
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == "pattern" && n.Content[i+1].Kind == yaml.ScalarNode {
					out = append(out, n.Content[i+1].Value)
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	for _, f := range []string{"../spec/roma-apic.yaml", "../spec/apig.yaml", "testdata/features/spec.yaml"} {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		var n yaml.Node
		require.NoError(t, yaml.Unmarshal(data, &n))
		walk(&n)
	}
	require.NotEmpty(t, out)
	return out
}

// The automata agree with regexp on every pattern of the specs and on a set of shapes
// (alternations, repeats, anchors or none), over strings that walk each automaton (so that
// the matching ones are well covered) and random strings around them.
func TestDFAAgreesWithRegexp(t *testing.T) {
	patterns := append(specPatterns(t), dfaShapes...)
	rng := rand.New(rand.NewSource(1))
	compiled := 0
	for _, p := range patterns {
		m, ok := compileDFA(p)
		if !ok {
			continue
		}
		compiled++
		re := regexp.MustCompile(p)
		for _, s := range dfaSamples(m, rng, 2000) {
			if !assert.Equal(t, re.MatchString(s), m.match(s), "%s on %q\n%s", p, s, m.describe()) {
				break
			}
		}
	}
	assert.Greater(t, compiled, len(patterns)/2)
	for _, p := range []string{`\bword\b`, `(?m)^a$`} {
		_, ok := compileDFA(p)
		assert.False(t, ok, "%s needs regexp", p)
	}
}

// dfaShapes are pattern shapes beyond the specs' own.
var dfaShapes = []string{
	`^(-1|[0-9]|10)$`, `^[a-z]*[0-9]$`, `[a-z]`, `(?i)abc`, `^(?:[Gg][Ee][Tt]|[Pp][Uu][Tt])$`, `(?i)k`,
	`a|b$`, `^a|b`, `ab*c`, `^$`, ``, `x*`, `^(ab|a)(bc|c)?$`, `(?s:.)z`, `.z$`, `^[^a]{2,4}$`,
	`^(a|b)*abb$`, `^\[[0-9A-Fa-f:.]+\]$`, `^([A-Za-z0-9._-]|#[A-Za-z][A-Za-z0-9_-]{2,31}#)+(:[0-9]{1,5})?$`,
}

// dfaSamples returns n strings that walk m (so that the matching ones are well covered),
// with random runes around and in place of its edges, and a few invalid UTF-8 ones.
func dfaSamples(m *dfa, rng *rand.Rand, n int) []string {
	extra := []rune("aZ09_-.:#[]{}/$<>\n é一龥\uFFFD\U0001F600")
	out := []string{"", "\xff", "a\xffb"}
	for range n {
		var r []rune
		st := 0
		for k := rng.Intn(40); len(r) < k; {
			if edges := m.states[st].next; len(edges) > 0 && rng.Intn(8) != 0 {
				e := edges[rng.Intn(len(edges))]
				r = append(r, e.lo+rune(rng.Int63n(int64(e.hi-e.lo)+1)))
				st = e.to
			} else {
				r = append(r, extra[rng.Intn(len(extra))])
			}
		}
		out = append(out, string(r))
	}
	return out
}

// The Go code generated for each automaton agrees with regexp: the matchers of the specs'
// patterns and the shapes above, compiled and run as a program.
func TestDFACodeAgreesWithRegexp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	f := jen.NewFile("main")
	var matchers, pats []jen.Code
	var cases [][]string
	rng := rand.New(rand.NewSource(2))
	for _, p := range append(specPatterns(t), dfaShapes...) {
		m, ok := compileDFA(p)
		if !ok {
			continue
		}
		matchers = append(matchers, jen.Func().Params(jen.Id("s").String()).Bool().Block(m.code()...))
		pats = append(pats, jen.Lit(p))
		cases = append(cases, dfaSamples(m, rng, 300))
	}
	f.Var().Id("matchers").Op("=").Index().Func().Params(jen.String()).Bool().Values(matchers...)
	f.Var().Id("patterns").Op("=").Index().String().Values(pats...)
	// main reads the samples (a JSON list per pattern) and prints each disagreement.
	f.Func().Id("main").Params().Block(
		jen.Var().Id("samples").Index().Index().String(),
		jen.If(jen.Err().Op(":=").Qual("encoding/json", "NewDecoder").Call(jen.Qual("os", "Stdin")).Dot("Decode").Call(jen.Op("&").Id("samples")), jen.Err().Op("!=").Nil()).Block(jen.Panic(jen.Err())),
		jen.For(jen.List(jen.Id("i"), jen.Id("m")).Op(":=").Range().Id("matchers")).Block(
			jen.Id("re").Op(":=").Qual("regexp", "MustCompile").Call(jen.Id("patterns").Index(jen.Id("i"))),
			jen.For(jen.List(jen.Id("_"), jen.Id("s")).Op(":=").Range().Id("samples").Index(jen.Id("i"))).Block(
				jen.If(jen.Id("m").Call(jen.Id("s")).Op("!=").Id("re").Dot("MatchString").Call(jen.Id("s"))).Block(
					jen.Qual("fmt", "Printf").Call(jen.Lit("%s on %q\n"), jen.Id("patterns").Index(jen.Id("i")), jen.Id("s")),
				),
			),
		),
	)
	dir := t.TempDir()
	require.NoError(t, f.Save(filepath.Join(dir, "main.go")))
	input, err := json.Marshal(cases)
	require.NoError(t, err)
	cmd := exec.Command("go", "run", "main.go")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GO111MODULE=off", "GOFLAGS=")
	cmd.Stdin = bytes.NewReader(input)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Empty(t, string(out))
}
