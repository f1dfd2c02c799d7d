; An unbound variable is an error, reported with the variable's name.
(define (f) (+ 1 undefined-variable))
(display "start") (newline)
(f)
