package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
	"github.com/yimayou/yimayou/app/store/storetest"
)

func TestSettings(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	if _, err := s.Setting(ctx, store.SettingPublicURL); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("missing setting: %v, want ErrNotFound", err)
	}
	for _, v := range []string{"https://qr.example.gov.cn", "https://qr2.example.gov.cn"} {
		if err := s.PutSetting(ctx, store.SettingPublicURL, v); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Setting(ctx, store.SettingPublicURL); err != nil || got != v {
			t.Fatalf("setting: %q %v, want %q", got, err, v)
		}
	}
	if v, err := s.SchemaVersionStored(ctx); err != nil || v != store.SchemaVersion() {
		t.Errorf("the schema record beside the settings: %d %v", v, err)
	}
}
