package generator

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func featuresConfig(t *testing.T, spec string) Config {
	t.Helper()
	cfgs, err := LoadConfigs("..")
	require.NoError(t, err)
	for _, c := range cfgs {
		if c.Codegen.PackageName == "features" {
			if spec != "" {
				c.Spec = spec
			}
			return c
		}
	}
	t.Fatal("no features configuration")
	return Config{}
}

// Two runs give identical bytes: generated code depends only on the spec and pinned tools.
func TestGenerateIsDeterministic(t *testing.T) {
	c := featuresConfig(t, "")
	a, err := Generate("..", []Config{c})
	require.NoError(t, err)
	b, err := Generate("..", []Config{c})
	require.NoError(t, err)
	require.Equal(t, len(a), len(b))
	for name, content := range a {
		assert.True(t, bytes.Equal(content, b[name]), name)
		if strings.HasSuffix(name, ".go") {
			assert.True(t, bytes.HasPrefix(content, []byte(Header)), "%s lacks the generated-code header", name)
		}
	}
	for _, want := range []string{"types.gen.go", "client.gen.go", "featuresserver/server.gen.go", "featuresspec/spec.gen.go", "validate.gen.go", "doc.go", "example_test.go"} {
		assert.Contains(t, a, filepath.ToSlash(filepath.Join(c.Output, want)))
	}
}

// A spec the generator cannot turn into correct code is refused with a message that names the
// file and the place.
func TestBadSpecsAreRefused(t *testing.T) {
	for file, want := range map[string]string{
		"not-openapi.yaml":           "not a valid OpenAPI 3.0 document",
		"bad-rule.yaml":              `#/components/schemas/Thing/x-required-if: field "b" is not a property of this schema`,
		"unknown-format.yaml":        "#/components/schemas/Thing/properties/colour: format color is not supported by the validator generator",
		"format-on-wrong-type.yaml":  "#/components/schemas/Thing/properties/day: format date is not supported by the validator generator on this type",
		"typeless-properties.yaml":   "#/components/schemas/Thing/properties/inner: properties on a schema without a type",
		"unknown-extension.yaml":     "#/components/schemas/Thing/properties/a/x-maximum-if: not a defined extension",
		"combined-format.yaml":       "#/components/schemas/Thing/properties/contact/oneOf/0: format color in a combined or untyped schema is not supported",
		"combined-extension.yaml":    "#/components/schemas/Thing/properties/name/anyOf/0: x-forbidden-chars (make the schema a component of its own) in a combined or untyped schema is not supported",
		"discriminator-mapping.yaml": `#/components/schemas/Thing: discriminator mapping "c" names #/components/schemas/C, which is not a branch`,
	} {
		t.Run(file, func(t *testing.T) {
			c := featuresConfig(t, "generator/testdata/invalid/"+file)
			c.Ledger = ""
			_, err := Generate("..", []Config{c})
			require.Error(t, err)
			assert.Contains(t, err.Error(), file)
			assert.Contains(t, err.Error(), want)
		})
	}
}

// A program that only calls the API links neither the server (echo), the spec loader
// (kin-openapi) nor a database driver: those live in the sub-packages.
func TestClientPackagesImportNoServerDependencies(t *testing.T) {
	cfgs, err := LoadConfigs("..")
	require.NoError(t, err)
	for _, c := range cfgs {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "../"+c.Output).CombinedOutput()
		require.NoError(t, err, "%s", out)
		for _, dep := range strings.Fields(string(out)) {
			// database/sql/driver (interfaces only) comes with oapi-codegen's UUID type.
			assert.NotEqual(t, "database/sql", dep, "%s imports database/sql", c.Output)
			for _, banned := range []string{"github.com/labstack/echo", "github.com/getkin/kin-openapi", "modernc.org/sqlite", "github.com/jackc/pgx"} {
				assert.False(t, strings.HasPrefix(dep, banned), "%s imports %s", c.Output, dep)
			}
		}
	}
}
