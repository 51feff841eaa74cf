package cli

import "github.com/yimayou/yimayou/app/i18n"

// uiCatalogs loads the UI catalogues and offers their languages to
// visitors: every language with a catalogue, in languages.json order.
// Every command that reads or writes content calls it first, so a pack in
// a language added as catalogue files is accepted without a Go change.
// Once the region is loaded, its Languages go to Offer instead of nil.
func uiCatalogs() (*i18n.Catalogs, error) {
	ui, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	if err := ui.Offer(nil); err != nil {
		return nil, err
	}
	return ui, nil
}
