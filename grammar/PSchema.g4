// The pschema language. Pure grammar: no actions, no semantic predicates.
// The generator turns the parse tree into a typed AST in one place
// (generator/src/transformer.cpp); every meaning lives there and in the
// checks, never here.
grammar PSchema;

schema
    : packageDecl? importDecl* declaration* EOF
    ;

packageDecl
    : PACKAGE qualifiedName SEMI
    ;

importDecl
    : IMPORT STRING SEMI
    ;

declaration
    : enumDecl
    | structDecl
    | poolDecl
    | operationDecl
    ;

enumDecl
    : attribute* ENUM name COLON typeRef LBRACE (enumValue (COMMA enumValue)* COMMA?)? RBRACE
    ;

enumValue
    : attribute* name (ASSIGN integer)?
    ;

structDecl
    : attribute* STRUCT name LBRACE structMember* RBRACE
    ;

structMember
    : fieldDecl
    | removedDecl
    ;

// `retries: u32 = 3;`: the default is the value a schema migration gives
// the field in objects that existed before it was added.
fieldDecl
    : attribute* CONST? name COLON typeRef (ASSIGN defaultValue)? SEMI
    ;

// An integer, or a name (`true`, `false`, an enum value); which one fits
// the field's type is a semantic check.
defaultValue
    : integer
    | name
    ;

// `removed old_field;`: the field existed in an earlier version of the
// schema and was deleted on purpose (schema evolution, `pschema diff`).
removedDecl
    : REMOVED name SEMI
    ;

// `@was(old_name)`: the declaration was renamed from `old_name`. Which
// attribute names exist is a semantic check.
attribute
    : AT name LPAREN name RPAREN
    ;

poolDecl
    : attribute* POOL name LBRACE poolItem* RBRACE
    ;

// `root: T;` and `concurrent;`. Which names are allowed is a semantic check,
// so that a typo gets a message naming the valid items.
poolItem
    : name COLON typeRef SEMI     # poolField
    | name SEMI                   # poolFlag
    ;

operationDecl
    : kind=(TX | QUERY) name LPAREN (param (COMMA param)*)? RPAREN (ARROW typeRef)? ON name SEMI
    ;

param
    : name COLON typeRef
    ;

// Suffixes other than `?` (`*`, `&`) are not part of the language; they are
// parsed so the checker can explain why a pointer or reference cannot be
// stored, instead of a bare syntax error.
typeRef
    : qualifiedName (LT typeArg (COMMA typeArg)* GT)? typeSuffix*
    ;

typeArg
    : typeRef
    | integer
    ;

typeSuffix
    : QUESTION
    | STAR
    | AMP
    ;

qualifiedName
    : name ((DOT | SCOPE) name)*
    ;

integer
    : MINUS? INTEGER
    ;

// Soft keywords: usable as identifiers where no keyword is expected.
name
    : IDENT
    | ON
    | TX
    | QUERY
    | CONST
    | POOL
    | PACKAGE
    | IMPORT
    | REMOVED
    ;

PACKAGE  : 'package';
IMPORT   : 'import';
ENUM     : 'enum';
STRUCT   : 'struct';
POOL     : 'pool';
TX       : 'tx';
QUERY    : 'query';
ON       : 'on';
CONST    : 'const';
REMOVED  : 'removed';

ARROW    : '->';
SCOPE    : '::';
COLON    : ':';
SEMI     : ';';
COMMA    : ',';
DOT      : '.';
LBRACE   : '{';
RBRACE   : '}';
LPAREN   : '(';
RPAREN   : ')';
LT       : '<';
GT       : '>';
ASSIGN   : '=';
QUESTION : '?';
STAR     : '*';
AMP      : '&';
AT       : '@';
MINUS    : '-';

INTEGER
    : [0-9]+
    | '0x' [0-9a-fA-F]+
    ;

IDENT
    : [a-zA-Z_] [a-zA-Z_0-9]*
    ;

STRING
    : '"' (~["\\\r\n] | '\\' .)* '"'
    ;

// Listed before LINE_COMMENT: on a tie in length ANTLR takes the first rule.
// Doc comments go to the hidden channel: the parser never sees them (so
// they cannot make it look ahead through thousands of lines), and the
// transformer attaches the ones right before a declaration to it.
DOC_COMMENT
    : '///' ~[\r\n]* -> channel(HIDDEN)
    ;

LINE_COMMENT
    : '//' ~[\r\n]* -> skip
    ;

BLOCK_COMMENT
    : '/*' .*? '*/' -> skip
    ;

WS
    : [ \t\r\n]+ -> skip
    ;

// Anything else becomes one token so the parser reports it with a location
// instead of the lexer printing to the console.
UNEXPECTED_CHAR
    : .
    ;
