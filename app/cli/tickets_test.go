package cli

import (
	"strings"
	"testing"
)

func TestTicketsKeysRotate(t *testing.T) {
	data := t.TempDir()
	// The first rotation of an empty database makes key 1 and then 2.
	code, out, errOut := run(t, data, "", "tickets", "keys", "rotate")
	if code != 0 || !strings.Contains(out, "ticket signing key 2 now signs") {
		t.Fatalf("rotate: %d %q %q", code, out, errOut)
	}
	code, out, _ = run(t, data, "", "tickets", "keys", "rotate", "--json")
	if code != 0 || strings.TrimSpace(out) != `{"kid":"3"}` {
		t.Fatalf("rotate --json: %d %q", code, out)
	}
	if code, _, errOut := run(t, data, "", "tickets", "keys"); code != 2 || !strings.Contains(errOut, "rotate") {
		t.Fatalf("usage: %d %q", code, errOut)
	}
}
