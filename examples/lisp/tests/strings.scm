; Strings, characters and symbols.
(define (show . xs) (for-each (lambda (x) (write x) (display " ")) xs) (newline))

(define s "hello")
(show s (string-length s) (string-ref s 1) (substring s 1 3) (substring s 2))
(show (string-append) (string-append "a" "bc" "" "def") (string-copy s))
(show (string=? "a" "a" "a") (string<? "abc" "abd") (string>? "b" "a") (string<? "ab" "abc"))
(show (string-upcase "MiXed") (string-downcase "MiXed") (make-string 3 #\z) (string #\a #\b))
(show (string->list "abc") (list->string '(#\x #\y)) (string-index "hello" #\l) (string-index "hello" #\q))
(show (char->integer #\A) (integer->char 97) #\space #\newline (char-upcase #\a))
(show (char-alphabetic? #\a) (char-numeric? #\5) (char-whitespace? #\tab) (char=? #\a #\a) (char<? #\a #\b))
(show "esc\"aped\\ \n tab\t")
(display "esc\"aped\\ done") (newline)
(show (symbol->string 'abc) (string->symbol "xyz") (eq? 'abc (string->symbol "abc")))
(show (eq? (string->symbol (string-append "ab" "c")) 'abc) (symbol? 'a) (symbol? "a"))
(show (string-join '("a" "b" "c") ", ") (string-join '() "-"))
(show (number->string 42) (string-append "n=" (number->string 3.5)))
; Many fresh symbols grow the symbol table; interning stays unique.
(define (make-syms n acc)
  (if (= n 0) acc
      (make-syms (- n 1) (cons (string->symbol (string-append "sym" (number->string n))) acc))))
(define syms (make-syms 3000 '()))
(show (length syms) (eq? (car syms) 'sym1) (eq? (list-ref syms 2999) 'sym3000))
; String building: a 10,000-character string made of numbers.
(define (build n acc)
  (if (= n 0) acc (build (- n 1) (string-append acc (number->string (modulo n 10))))))
(define long (build 10000 ""))
(show (string-length long) (substring long 0 12))
