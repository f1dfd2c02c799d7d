; Hash tables: equal?-keyed (content hashing) and eqv?-keyed (identity
; hashing through gc_identity_hash, which must survive object moves).
(define (show . xs) (for-each (lambda (x) (write x) (display " ")) xs) (newline))

(define h (make-hash-table))
(hash-table-set! h "apple" 1)
(hash-table-set! h '(1 2) 'list-key)
(hash-table-set! h 42 'number)
(hash-table-set! h #(1 "x") 'vector-key)
(hash-table-set! h 'sym 'symbol)
(show (hash-table-ref h (string-append "app" "le")) (hash-table-ref h (list 1 2))
      (hash-table-ref h 42) (hash-table-ref h (vector 1 "x")) (hash-table-ref h 'sym))
(show (hash-table-ref/default h "pear" 'none) (hash-table-ref h "pear" 'dflt)
      (hash-table-contains? h "apple") (hash-table-count h) (hash-table? h))
(hash-table-set! h "apple" 2)
(hash-table-delete! h 42)
(show (hash-table-ref h "apple") (hash-table-contains? h 42) (hash-table-count h))
(hash-table-update!/default h "apple" (lambda (x) (+ x 10)) 0)
(hash-table-update!/default h "kiwi" (lambda (x) (+ x 10)) 0)
(show (hash-table-ref h "apple") (hash-table-ref h "kiwi"))
(show (sort (map (lambda (p) (if (string? (car p)) (car p) "?")) (hash-table->alist h)) string<?))

; eqv? table keyed by freshly allocated pairs: found by identity only.
(define e (make-hash-table 'eqv))
(define keys (map (lambda (i) (list i)) (iota 2000)))
(for-each (lambda (k) (hash-table-set! e k (car k))) keys)
(show (hash-table-count e) (hash-table-ref/default e (list 5) 'not-by-content))
; Churn the heap (and force collections) so that the keys move, then check
; every key is still found under its identity hash.
(define (churn n) (if (> n 0) (begin (make-vector 20 n) (churn (- n 1)))))
(define hashes (map eq-hash keys))
(churn 20000)
(gc)
(churn 20000)
(gc)
(show (equal? hashes (map eq-hash keys)))
(show (fold-left (lambda (ok k) (and ok (= (hash-table-ref e k) (car k)))) #t keys))
(for-each (lambda (k) (when (even? (car k)) (hash-table-delete! e k))) keys)
(show (hash-table-count e) (hash-table-ref/default e (list-ref keys 3) 'gone)
      (hash-table-ref/default e (list-ref keys 4) 'gone))

; Growth: 20,000 string keys in an equal? table.
(define big (make-hash-table))
(do ((i 0 (+ i 1))) ((= i 20000))
  (hash-table-set! big (number->string i) i))
(show (hash-table-count big)
      (let loop ((i 0) (ok #t))
        (if (= i 20000) ok
            (loop (+ i 1) (and ok (= i (hash-table-ref big (number->string i))))))))
(hash-table-clear! big)
(show (hash-table-count big) (hash-table-keys big))
