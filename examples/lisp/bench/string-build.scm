; String building: repeated string-append, number->string, interning and
; an equal?-keyed table of strings.  Strings are pointer-free precise
; objects of many sizes, so this stresses large and variable-sized
; allocation more than tracing.
(define (build-line n)
  (let loop ((i 0) (acc ""))
    (if (= i n) acc
        (loop (+ i 1) (string-append acc (number->string i) ":")))))

(define table (make-hash-table))
(define (round! r)
  (do ((i 0 (+ i 1))) ((= i 2000))
    (let ((key (string-append "k" (number->string (modulo (* i 7) 1000)))))
      (hash-table-set! table key (build-line (+ 5 (modulo (+ i r) 40)))))))
(do ((r 0 (+ r 1))) ((= r 30)) (round! r))
(define big (build-line 3000))
(define syms (map (lambda (i) (string->symbol (string-append "s" (number->string i))))
                  (iota 5000)))
(display (hash-table-count table)) (display " ")
(display (string-length big)) (display " ")
(display (string-length (hash-table-ref table "k7"))) (display " ")
(display (length syms)) (newline)
