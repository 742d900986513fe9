package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"shebao/internal/access"
	"shebao/internal/complaint"
	"shebao/internal/contribution"
	"shebao/internal/death"
	"shebao/internal/document"
	"shebao/internal/download"
	"shebao/internal/errs"
	"shebao/internal/payment"
	"shebao/internal/payout"
	"shebao/internal/personalaccount"
	"shebao/internal/staffchange"
	"shebao/internal/transfer"
	"shebao/internal/upkeep"
)

// Request bodies. Every body is capped before anything reads it, by the
// limit of its route (bodyLimitOf); a body declared bigger is refused at
// once with 413, one that turns out bigger is refused when the reader
// reaches the cap, and the connection is closed without reading the rest.
// Forms are parsed once, here, on the request the handlers see; the
// temporary files of a multipart form are removed when the request ends.
const (
	smallBody       = 1 << 20  // forms and JSON of every other route
	formSlack       = 1 << 20  // multipart boundaries and the other fields of an upload form
	injuryBody      = 32 << 20 // an accident report with its photos (form or base64 JSON)
	multipartMemory = 1 << 20  // multipart file data held in memory; the rest goes to temporary files
)

// bodyLimit is the cap of one route's body and what to tell the user.
type bodyLimit struct {
	bytes int64
	what  string // what is limited, in Chinese, for the 413 answer
}

// bodyLimitOf returns the cap of a route, by its mux pattern: the one
// table of body limits (docs/architecture.md lists it).
func (s *Server) bodyLimitOf(pattern string) bodyLimit {
	switch pattern {
	case "POST /employer/staff/import", "POST /api/v1/employers/me/staff/import":
		return bodyLimit{staffchange.MaxFileSize + formSlack, fmt.Sprintf("人员增减 Excel 文件不能超过 %d MB", staffchange.MaxFileSize>>20)}
	case "POST /staff/contribution-records":
		return bodyLimit{contribution.RecordMaxBytes + formSlack, fmt.Sprintf("历史缴费记录文件不能超过 %d MB", contribution.RecordMaxBytes>>20)}
	case "POST /staff/deaths/civil":
		return bodyLimit{int64(death.CivilLimits.MaxBytes) + formSlack, fmt.Sprintf("民政死亡数据文件不能超过 %d MB", death.CivilLimits.MaxBytes>>20)}
	case "POST /api/v1/civil/deaths":
		return bodyLimit{2 << 20, "每次推送的死亡数据不能超过 2 MB"}
	case "POST /staff/accounts/openings":
		return bodyLimit{personalaccount.OpeningMaxBytes + formSlack, fmt.Sprintf("个人账户期初余额文件不能超过 %d MB", personalaccount.OpeningMaxBytes>>20)}
	case "POST /staff/statements", "POST /api/v1/statements":
		return bodyLimit{payment.MaxStatementBytes + formSlack, fmt.Sprintf("银行对账单文件不能超过 %d MB", payment.MaxStatementBytes>>20)}
	case "POST /staff/payout-batches/{id}/return":
		return bodyLimit{payout.MaxReturnBytes + formSlack, fmt.Sprintf("回盘文件不能超过 %d MB", payout.MaxReturnBytes>>20)}
	case "POST /staff/cards/lists/{id}/answer":
		return bodyLimit{payout.MaxReturnBytes + formSlack, fmt.Sprintf("开卡回复文件不能超过 %d MB", payout.MaxReturnBytes>>20)}
	case "POST /cases/{no}/documents", "POST /staff/retirement/qualifications/new", "POST /person/death-reports":
		n := int64(document.DefaultMaxSize)
		if s.Documents != nil {
			n = s.Documents.MaxSize()
		}
		return bodyLimit{n + formSlack, fmt.Sprintf("上传的材料不能超过 %d MB", n>>20)}
	case "POST /person/retirement/apply":
		n := int64(document.DefaultMaxSize)
		if s.Documents != nil {
			n = s.Documents.MaxSize()
		}
		return bodyLimit{3*n + formSlack, fmt.Sprintf("三份扫描件合计不能超过 %d MB", (3*n)>>20)}
	case "POST /staff/upkeep/new":
		n := int64(document.DefaultMaxSize)
		if s.Documents != nil {
			n = s.Documents.MaxSize()
		}
		return bodyLimit{upkeep.MaxEvidence*n + formSlack, fmt.Sprintf("证明材料合计不能超过 %d MB", (upkeep.MaxEvidence*n)>>20)}
	case "POST /complaints/new":
		// An anonymous visitor's upload must stay within a form's size (parseForms).
		return bodyLimit{smallBody, fmt.Sprintf("匿名投诉举报连同附件不能超过 %d MB；较大的材料请登录后实名提交", smallBody>>20)}
	case "POST /my/complaints/new", "POST /staff/complaints/new", "POST /staff/complaints/{id}/{action}":
		n := int64(document.DefaultMaxSize)
		if s.Documents != nil {
			n = s.Documents.MaxSize()
		}
		return bodyLimit{complaint.MaxAttachments*n + formSlack, fmt.Sprintf("投诉举报连同附件不能超过 %d MB", (complaint.MaxAttachments*n)>>20)}
	case "POST /staff/transfers/{id}/form-file":
		return bodyLimit{transfer.FormMaxBytes + formSlack, fmt.Sprintf("转移信息表文件不能超过 %d MB", transfer.FormMaxBytes>>20)}
	case "POST /person/transfers":
		n := int64(document.DefaultMaxSize)
		if s.Documents != nil {
			n = s.Documents.MaxSize()
		}
		return bodyLimit{3*n + formSlack, fmt.Sprintf("转入申请的三份材料合计不能超过 %d MB", (3*n)>>20)}
	case "POST /staff/downloads", "POST /staff/downloads/{id}/versions":
		return bodyLimit{download.MaxFileBytes + formSlack, fmt.Sprintf("上传的下载文件不能超过 %d MB", download.MaxFileBytes>>20)}
	case "POST /staff/injury/recognitions/new", "POST /staff/injury/recognitions/{id}/own-wage":
		n := int64(document.DefaultMaxSize)
		if s.Documents != nil {
			n = s.Documents.MaxSize()
		}
		return bodyLimit{n + formSlack, fmt.Sprintf("上传的扫描件不能超过 %d MB", n>>20)}
	case "POST /employer/injury/reports/new", "POST /api/v1/injury/reports", "POST /employer/injury/claims/new":
		return bodyLimit{injuryBody, fmt.Sprintf("事故报告连同照片不能超过 %d MB", injuryBody>>20)}
	}
	return bodyLimit{smallBody, fmt.Sprintf("提交的内容不能超过 %d MB", smallBody>>20)}
}

// sizeText writes a limit for messages: "1 MB", "512 KB".
func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", (n+1023)>>10)
}

// limitBodies caps the request body by its route. A Content-Length over
// the cap is answered 413 before a byte is read.
func (s *Server) limitBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		_, pattern := s.mux.Handler(r)
		lim := s.bodyLimitOf(pattern)
		if r.ContentLength > lim.bytes {
			s.refuseBody(w, r, lim)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, lim.bytes)
		next.ServeHTTP(w, r)
	})
}

// refuseBody answers 413 (JSON on /api/, a page elsewhere) and closes the
// connection, so the rest of the body is never read.
func (s *Server) refuseBody(w http.ResponseWriter, r *http.Request, lim bodyLimit) {
	w.Header().Set("Connection", "close")
	s.failAny(w, r, errs.New(errs.TooLarge, "body_too_large", "提交的内容过大："+lim.what+"，请缩小后重新提交"))
}

// tooLargeBody reports whether err comes from reading past the body cap.
func tooLargeBody(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}

// parseForms parses the form of every POST, PUT, PATCH or DELETE with a
// form body, once, before the CSRF check reads its _csrf field and the
// handler its values and files. The temporary files of a multipart form
// are removed when the handler returns. An anonymous visitor's upload to a
// route that takes files is refused unread: every such route needs a login.
func (s *Server) parseForms(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var err error
		switch formType(r) {
		case "multipart/form-data":
			if actorFrom(r.Context()) == nil && s.takesUploads(r) {
				s.failAny(w, r, errs.New(errs.Unauthenticated, "login_required", "请先登录后再上传文件"))
				return
			}
			err = r.ParseMultipartForm(multipartMemory)
			if r.MultipartForm != nil {
				defer r.MultipartForm.RemoveAll()
			}
		case "application/x-www-form-urlencoded":
			err = r.ParseForm()
		default:
			next.ServeHTTP(w, r)
			return
		}
		switch {
		case tooLargeBody(err):
			_, pattern := s.mux.Handler(r)
			s.refuseBody(w, r, s.bodyLimitOf(pattern))
		case err != nil:
			s.failAny(w, r, errs.New(errs.Invalid, "bad_form", "表单无法识别，请重新填写"))
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// takesUploads reports a route whose body may be bigger than a form.
func (s *Server) takesUploads(r *http.Request) bool {
	_, pattern := s.mux.Handler(r)
	return s.bodyLimitOf(pattern).bytes > smallBody
}

// formType is the media type of a form body of an unsafe method, or "".
func formType(r *http.Request) string {
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		return ""
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return ct
}

// formFile returns the one file of a form field of the parsed multipart
// form, never parsing the body itself.
func formFile(r *http.Request, field string) (*multipart.FileHeader, bool) {
	if r.MultipartForm == nil || len(r.MultipartForm.File[field]) != 1 {
		return nil, false
	}
	return r.MultipartForm.File[field][0], true
}

// readUpload reads an uploaded file into one buffer of its exact size, at
// most limit+1 bytes (so an oversize file is recognised).
func readUpload(fh *multipart.FileHeader, limit int64) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data := make([]byte, min(fh.Size, limit+1))
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, err
	}
	return data, nil
}

// uploadedFile reads the "file" part of the parsed multipart form, at
// most one byte over max (so an oversize file is recognised); missing is
// the field error when no file was chosen.
func uploadedFile(r *http.Request, max int64, missing string) (string, []byte, error) {
	fh, ok := formFile(r, "file")
	if !ok {
		var fs errs.Fields
		fs.Add("file", missing)
		return "", nil, fs.Err()
	}
	data, err := readUpload(fh, max)
	if err != nil {
		return "", nil, errs.Wrap(err, "read upload")
	}
	return fh.Filename, data, nil
}

// storeUpload stores the one file of a form field as a's document (content
// checked by its bytes: JPEG, PNG or PDF) and answers its id; 0 when none
// was chosen.
func (s *Server) storeUpload(r *http.Request, a *access.Actor, field string) (int64, error) {
	fh, ok := formFile(r, field)
	if !ok || (fh.Size == 0 && fh.Filename == "") {
		return 0, nil
	}
	file, err := fh.Open()
	if err != nil {
		return 0, errs.Wrap(err, "open upload")
	}
	defer file.Close()
	d, err := s.Documents.Put(r.Context(), a, fh.Filename, file)
	if err != nil {
		return 0, err
	}
	return d.ID, nil
}
