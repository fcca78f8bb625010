// Command apicgen generates the packages in generated/ from the specs in spec/.
//
//	apicgen generate   write every generated file
//	apicgen check      exit 1 and print a diff if a generated file is missing or differs
package main

import (
	"os"

	"github.com/apiclab/apic/generator/cli"
)

func main() { os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
