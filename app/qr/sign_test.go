package qr

import "testing"

func TestSignURL(t *testing.T) {
	tests := []struct {
		base, code, want string
	}{
		{"https://yimayou.example.cn", "ABC234", "https://yimayou.example.cn/q/ABC234"},
		{"https://yimayou.example.cn/", "ABC234", "https://yimayou.example.cn/q/ABC234"},
		{"https://yimayou.example.cn//", "ABC234", "https://yimayou.example.cn/q/ABC234"},
		{"http://10.0.0.5:8080", "XYZ789", "http://10.0.0.5:8080/q/XYZ789"},
		{"https://example.cn/yimayou/", "ABC234", "https://example.cn/yimayou/q/ABC234"},
		// Codes come from the code alphabet, but nothing else may become
		// part of the path.
		{"https://yimayou.example.cn", "../admin", "https://yimayou.example.cn/q/..%2Fadmin"},
	}
	for _, tt := range tests {
		if got := SignURL(tt.base, tt.code); got != tt.want {
			t.Errorf("SignURL(%q, %q) = %q, want %q", tt.base, tt.code, got, tt.want)
		}
	}
}

// Backs the claim in SignURL's comment: byte mode keeps a typical sign URL
// in a version 3 symbol (29 modules) at the default level.
func TestSignURLVersion(t *testing.T) {
	modules := reference(t, SignURL("https://yimayou.example.cn", "ABC234"), LevelM)
	if len(modules) != 29 {
		t.Errorf("symbol is %d modules wide, want 29 (version 3)", len(modules))
	}
}
