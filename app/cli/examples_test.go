package cli

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/yimayou/yimayou/app/content"
)

// The README's "Trying another region": the example pack loads with
// `yimayou import` into an empty data dir, dry run first, and a second
// import changes nothing.
func TestImportExamplePack(t *testing.T) {
	const dir = "../../content/examples/songpan"
	p, err := content.Load(os.DirFS(dir))
	if err != nil {
		t.Fatalf("Load(%s): %v", dir, err)
	}
	total := 1 + len(p.Counties) + len(p.Sites) + len(p.Signs) // 1: region.yaml
	data := t.TempDir()

	code, out, errOut := run(t, data, "", "import", "--dry-run", dir)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("%d to create, 0 to change, 0 unchanged; nothing written", total)) ||
		!strings.Contains(out, "create site huanglong") || !strings.Contains(out, "create county "+p.Counties[0].Code) {
		t.Fatalf("dry run: %d %q %q", code, out, errOut)
	}
	code, out, errOut = run(t, data, "", "import", dir)
	want := fmt.Sprintf("the region (region.yaml), %d counties, %d sites, %d signs,", len(p.Counties), len(p.Sites), len(p.Signs))
	if code != 0 || !strings.Contains(out, want) {
		t.Fatalf("import: %d %q %q, want %q", code, out, errOut, want)
	}
	code, out, errOut = run(t, data, "", "import", dir)
	if want := fmt.Sprintf("; %d unchanged", total); code != 0 || !strings.Contains(out, want) {
		t.Fatalf("second import: %d %q %q, want %q", code, out, errOut, want)
	}
}
