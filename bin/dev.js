#!/usr/bin/env -S node --import tsx --no-warnings=ExperimentalWarning
// Runs the CLI from src/ without building (oclif maps dist/commands to src/commands in development).
import {main} from '../src/cli/main.ts'

await main(process.argv.slice(2), import.meta.url, {development: true})
