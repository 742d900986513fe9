package injury

import (
	"context"

	"shebao/internal/access"
	"shebao/internal/casework"
	"shebao/internal/errs"
	"shebao/internal/ident"
)

// MaxScans is the most scanned documents one claim form takes.
const MaxScans = 10

// storeScans stores the claim's scans (PDF, JPEG or PNG, checked by content).
func (s *Service) storeScans(ctx context.Context, a *access.Actor, scans []Photo) ([]casework.DocumentLink, error) {
	var f errs.Fields
	if len(scans) > MaxScans {
		f.Add("scans", "扫描件最多 10 个")
		return nil, f.Err()
	}
	var links []casework.DocumentLink
	for _, p := range scans {
		d, err := s.docs.Put(ctx, a, p.Name, p.R)
		if err != nil {
			if e := errs.As(err); e != nil && e.Kind == errs.Invalid {
				f.Add("scans", "扫描件“"+ident.MaskName(cleanName(p.Name))+"”："+e.Message)
				return nil, f.Err()
			}
			return nil, err
		}
		switch d.ContentType {
		case "image/jpeg", "image/png", "application/pdf":
		default:
			f.Add("scans", "扫描件“"+ident.MaskName(cleanName(p.Name))+"”须为 PDF、JPEG 或 PNG 文件")
			return nil, f.Err()
		}
		links = append(links, casework.DocumentLink{DocumentID: d.ID, Item: ScanItem})
	}
	return links, nil
}

// StoreScan stores one scanned decision letter or wage evidence and
// returns its document id (PDF, JPEG or PNG). 工伤保险待遇科 only.
func (s *Service) StoreScan(ctx context.Context, a *access.Actor, field string, p Photo) (int64, error) {
	if err := a.RequireSection(access.Injury); err != nil {
		return 0, err
	}
	var f errs.Fields
	d, err := s.docs.Put(ctx, a, p.Name, p.R)
	if err != nil {
		if e := errs.As(err); e != nil && e.Kind == errs.Invalid {
			f.Add(field, e.Message)
			return 0, f.Err()
		}
		return 0, err
	}
	switch d.ContentType {
	case "image/jpeg", "image/png", "application/pdf":
		return d.ID, nil
	}
	f.Add(field, "扫描件须为 PDF、JPEG 或 PNG 文件")
	return 0, f.Err()
}
