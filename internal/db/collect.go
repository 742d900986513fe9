package db

import (
	"context"
	"database/sql"
)

// Scanner is what *sql.Row and *sql.Rows offer a scan function.
type Scanner = interface{ Scan(dest ...any) error }

// Reader is the part of a Querier that Each and Collect need.
type Reader interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Each runs query on q and calls fn for every row, in order. It returns
// the first error of the query, of fn or of the rows, as it is: callers
// wrap it with the name of what they read.
func Each(ctx context.Context, q Reader, fn func(Scanner) error, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Collect runs query on q and scans each row into a T with scan: the rows
// in order, nil when there are none. Errors are returned as they are, as
// with Each.
func Collect[T any](ctx context.Context, q Reader, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	var out []T
	err := Each(ctx, q, func(r Scanner) error {
		v, err := scan(r)
		if err != nil {
			return err
		}
		out = append(out, v)
		return nil
	}, query, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Scalar scans a row of one column into a T (Collect(…, db.Scalar[int64], …)).
func Scalar[T any](r Scanner) (T, error) {
	var v T
	err := r.Scan(&v)
	return v, err
}

// Deref turns a scan function that returns a pointer into one that
// returns the value, for Collect.
func Deref[T any](scan func(Scanner) (*T, error)) func(Scanner) (T, error) {
	return func(r Scanner) (T, error) {
		p, err := scan(r)
		if err != nil {
			var zero T
			return zero, err
		}
		return *p, nil
	}
}

// Fields turns a function that names the destinations of a row's columns
// in a T into a scan function, for Collect:
//
//	db.Collect(ctx, q, db.Fields(func(h *Heir) []any { return []any{&h.Name, &h.Relation} }), query, id)
func Fields[T any](fields func(*T) []any) func(Scanner) (T, error) {
	return func(r Scanner) (T, error) {
		var v T
		err := r.Scan(fields(&v)...)
		return v, err
	}
}
