package generator

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Generation never panics, and what it generates compiles and passes go vet, or the spec is
// refused with a message that names the place. The corpus is the specs in testdata/robust
// (recursion through $ref, nested combinations, the vocabulary inside combinations) and, for
// each combinator (oneOf, anyOf, allOf, not, nullable oneOf, array of oneOf), one spec with a
// property for every pair of the fragments below. A refused property is dropped and the rest
// generated again, so that one refusal does not hide the others.
func TestGenerationIsRobust(t *testing.T) {
	specs := map[string]string{}
	files, err := filepath.Glob("testdata/robust/*.yaml")
	require.NoError(t, err)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		specs[strings.TrimSuffix(filepath.Base(f), ".yaml")] = string(data)
	}
	for name, props := range pairSpecs() {
		specs[name] = props
	}
	work, err := os.MkdirTemp(".", "_robust")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(work) })

	names := make([]string, 0, len(specs))
	for n := range specs {
		names = append(names, n)
	}
	sort.Strings(names)
	var dirs []string
	generated, refused := 0, 0
	for i, name := range names {
		spec := specs[name]
		pkg := fmt.Sprintf("r%d", i)
		for attempt := 0; ; attempt++ {
			require.Less(t, attempt, 200, "%s: too many refusals", name)
			file := filepath.Join(work, name+".yaml")
			require.NoError(t, os.WriteFile(file, []byte(spec), 0o644))
			c := featuresConfig(t, "generator/"+filepath.ToSlash(file))
			c.Ledger, c.EnumNames = "", nil
			c.Output = "generator/" + filepath.ToSlash(filepath.Join(work, pkg))
			c.Codegen.PackageName = pkg
			out, err := generateSafely(c)
			if err == nil {
				writeGenerated(t, out)
				dirs = append(dirs, "./"+filepath.ToSlash(filepath.Join(work, pkg))+"/...")
				generated++
				break
			}
			msg := err.Error()
			require.NotContains(t, msg, "panic", name)
			// The place: ours (a JSON pointer) or oapi-codegen's (a property name).
			prop := regexp.MustCompile(`#/components/schemas/Pairs\d+/properties/(p\d+)|property '(p\d+)'|Pairs\d+_?P(\d+)`).FindStringSubmatch(msg)
			require.True(t, prop != nil || strings.Contains(msg, "#/components/schemas/"), "%s: a refusal names the place: %s", name, msg)
			refused++
			t.Logf("%s refused: %s", name, msg)
			if prop == nil {
				break
			}
			// Drop the refused property of a pair spec and try the rest.
			spec = dropProperty(spec, prop[1]+prop[2]+strings.Repeat("p", len(prop[3])/max(len(prop[3]), 1))+prop[3])
		}
	}
	t.Logf("%d specs: %d packages generated, %d refusals", len(specs), generated, refused)
	require.NotEmpty(t, dirs)
	cmd := exec.Command("go", append([]string{"vet"}, dirs...)...)
	cmd.Dir = "."
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "generated code does not compile or vet:\n%s", msg)
}

// generateSafely turns a panic of the generator into a test failure message.
func generateSafely(c Config) (out map[string][]byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return Generate("..", []Config{c})
}

// writeGenerated writes a package's files below the repository root; the shared runtime is the
// committed one (generated/validation), kept current by make check-generated.
func writeGenerated(t *testing.T, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		if strings.HasPrefix(name, "generated/") {
			continue
		}
		p := filepath.Join("..", filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, data, 0o644))
	}
}

// fragments are schemas (YAML flow style) that the pair specs combine two at a time.
var fragments = []string{
	`{}`,
	`{type: integer, minimum: 1}`,
	`{type: string, maxLength: 3}`,
	`{type: boolean}`,
	`{nullable: true, type: string}`,
	`{maximum: 3}`,
	`{enum: [a, b]}`,
	`{type: array, items: {type: integer}}`,
	`{type: array, items: {}}`,
	`{type: object}`,
	`{$ref: '#/components/schemas/Obj'}`,
	`{$ref: '#/components/schemas/Alt'}`,
	`{$ref: '#/components/schemas/Name'}`,
	`{type: object, properties: {a: {type: string}}}`,
}

// combinators wrap two fragments into one property schema.
var combinators = map[string]string{
	"oneof":    `{oneOf: [%s, %s]}`,
	"anyof":    `{anyOf: [%s, %s]}`,
	"allof":    `{allOf: [%s, %s]}`,
	"not":      `{not: {oneOf: [%s, %s]}}`,
	"nullable": `{nullable: true, oneOf: [%s, %s]}`,
	"array":    `{type: array, items: {oneOf: [%s, %s]}}`,
	"typed":    `{type: string, anyOf: [%s, %s]}`,
}

// pairSpecs returns one spec per combinator, with a property for every ordered pair.
func pairSpecs() map[string]string {
	out := map[string]string{}
	for name, comb := range combinators {
		var b strings.Builder
		b.WriteString(`openapi: 3.0.3
info: {title: Pairs, version: "1"}
paths: {}
components:
  schemas:
    Obj:
      type: object
      required: [id]
      properties:
        id: {type: string, maxLength: 4}
    Alt:
      oneOf: [{type: integer}, {$ref: '#/components/schemas/Obj'}]
    Name: {type: string, pattern: '^[a-z]+$'}
`)
		n := 0
		for _, a := range fragments {
			for _, c := range fragments {
				if name == "allof" && clash(a, c) {
					continue // oapi-codegen refuses to merge them; no value could match both
				}
				// A generated struct has at most 64 members: 50 per component.
				if n%50 == 0 {
					fmt.Fprintf(&b, "    Pairs%d:\n      type: object\n      properties:\n", n/50)
				}
				fmt.Fprintf(&b, "        p%d: %s\n", n, fmt.Sprintf(comb, a, c))
				n++
			}
		}
		out["pairs-"+name] = b.String()
	}
	return out
}

// dropProperty removes the line of property name from a pair spec.
func dropProperty(spec, name string) string {
	var keep []string
	for _, line := range strings.Split(spec, "\n") {
		if !strings.HasPrefix(line, "        "+name+": ") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
}

// clash reports whether two fragments state different types (or an enum of strings beside
// another type), which an allOf cannot merge.
func clash(a, b string) bool {
	ta, tb := fragmentType(a), fragmentType(b)
	return ta != "" && tb != "" && ta != tb
}

func fragmentType(f string) string {
	switch {
	case strings.Contains(f, "Obj"):
		return "object"
	case strings.Contains(f, "Name"), strings.Contains(f, "enum: [a"):
		return "string"
	case strings.Contains(f, "format: date-time"):
		return "date-time"
	}
	if m := regexp.MustCompile(`^\{(?:nullable: true, )?type: (\w+)`).FindStringSubmatch(f); m != nil {
		return m[1]
	}
	return ""
}
