; Deep non-tail recursion exhausts the C stack: it must be reported as a
; Scheme error, not crash the interpreter.
(define (deep n) (if (= n 0) 0 (+ 1 (deep (- n 1)))))
(display (deep 1000)) (newline)
(deep 100000000)
