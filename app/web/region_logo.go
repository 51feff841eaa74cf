package web

import (
	"context"
	"errors"
	"strings"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/qr"
)

// regionMediaName is the stored media name of a region's logo, written as
// in the pack ("media/x.png") or as served ("/media/x.png") or bare.
func regionMediaName(logo string) string {
	return strings.TrimPrefix(strings.TrimPrefix(logo, mediaPrefix), strings.TrimPrefix(mediaPrefix, "/"))
}

// regionLogo is the region's logo (Region.Logo, a media file), the
// default of counties that have none; nil when the region has none or the
// file is gone.
func (s *Server) regionLogo(ctx context.Context) (*qr.Logo, error) {
	if s.Catalog == nil || s.Console.Store == nil {
		return nil, nil
	}
	name := regionMediaName(s.Catalog.Snapshot().Region.Logo)
	if name == "" {
		return nil, nil
	}
	_, data, err := s.Console.Store.LoadMedia(ctx, name)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	logo, err := qr.LoadLogo(data)
	if err != nil {
		// A pack may name a file that is no logo; codes go without
		// rather than fail, and the console's region form says why.
		s.errLog.Warn("region_logo", "region logo is not a PNG", "media", name, "err", err)
		return nil, nil
	}
	return logo, nil
}
