package generator

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// generateInto generates spec (relative to the repository root) as the package
// generator/testdata/keywords/out/<name>, writes it to a temporary directory, and returns a
// go build overlay that places it in the module, so that go vet and go test can compile it
// without touching the tree.
func generateInto(t *testing.T, spec, name string, names EnumNames) (overlay, pkgDir string) {
	t.Helper()
	c := featuresConfig(t, spec)
	c.Ledger = ""
	c.Output = "generator/testdata/keywords/out/" + name
	c.Codegen.PackageName = name
	c.EnumNames = names
	files, err := Generate("..", []Config{c})
	require.NoError(t, err)
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	tmp := t.TempDir()
	replace := map[string]string{}
	for rel, content := range files {
		if !strings.HasPrefix(rel, c.Output+"/") {
			// The shared runtime: the one in generated/ must be the same.
			continue
		}
		f := filepath.Join(tmp, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(f), 0o755))
		require.NoError(t, os.WriteFile(f, content, 0o644))
		replace[filepath.Join(root, filepath.FromSlash(rel))] = f
	}
	if test, err := os.ReadFile(filepath.Join("testdata", "keywords", name+"_test.go")); err == nil {
		f := filepath.Join(tmp, name+"_test.go")
		require.NoError(t, os.WriteFile(f, test, 0o644))
		replace[filepath.Join(root, filepath.FromSlash(c.Output), name+"_test.go")] = f
	}
	data, err := json.Marshal(map[string]any{"Replace": replace})
	require.NoError(t, err)
	overlay = filepath.Join(tmp, "overlay.json")
	require.NoError(t, os.WriteFile(overlay, data, 0o644))
	return overlay, "./testdata/keywords/out/" + name + "/..."
}

// Bug 13 and the shapes of the keyword vocabulary: objects without properties, items: {},
// nullable items, inline objects, maps, every format: the generated code compiles, and
// testdata/keywords/shapes_test.go passes on it.
func TestShapes(t *testing.T) {
	overlay, pkg := generateInto(t, "generator/testdata/keywords/shapes.yaml", "shapes", EnumNames{"level": {"0.5": "Half", "1.5": "OneAndAHalf"}})
	out, err := exec.Command("go", "build", "-overlay", overlay, pkg).CombinedOutput()
	require.NoError(t, err, "%s", out)
	// The package has no directory of its own: build the test binary, then run it elsewhere.
	bin := filepath.Join(filepath.Dir(overlay), "shapes.test")
	out, err = exec.Command("go", "test", "-c", "-vet=off", "-overlay", overlay, "-o", bin, strings.TrimSuffix(pkg, "/...")).CombinedOutput()
	require.NoError(t, err, "%s", out)
	run := exec.Command(bin, "-test.v")
	run.Dir = filepath.Dir(overlay)
	out, err = run.CombinedOutput()
	require.NoError(t, err, "%s", out)
	t.Logf("%s", out)
}
