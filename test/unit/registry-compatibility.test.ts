import {describe, expect, it} from 'vitest'
import {compatibilityProblems, readProblems} from '../../src/broker/registry/compatibility.js'

const v1 = {type: 'object', properties: {id: {type: 'string'}, kind: {enum: ['a', 'b']}}, required: ['id']}

describe('JSON Schema compatibility', () => {
  it('lets a reader with a new optional field read old data (backward)', () => {
    const v2 = {...v1, properties: {...v1.properties, note: {type: 'string'}}}
    expect(compatibilityProblems('BACKWARD', v2, [v1])).toEqual([])
  })

  it('rejects a new required field under BACKWARD, naming it', () => {
    const v2 = {...v1, properties: {...v1.properties, amount: {type: 'number'}}, required: ['id', 'amount']}
    expect(compatibilityProblems('BACKWARD', v2, [v1])).toEqual([
      'backward: #/properties/amount: required by the reader, optional or absent for the writer',
    ])
    expect(compatibilityProblems('FORWARD', v2, [v1])).toEqual([])
    expect(compatibilityProblems('NONE', v2, [v1])).toEqual([])
  })

  it('checks types, enums and closed content models', () => {
    expect(
      readProblems(
        {type: 'object', properties: {id: {type: 'number'}}},
        {type: 'object', properties: {id: {type: 'integer'}}},
      ),
    ).toEqual([])
    expect(
      readProblems(
        {type: 'object', properties: {id: {type: 'integer'}}},
        {type: 'object', properties: {id: {type: 'number'}}},
      ),
    ).toHaveLength(1)
    expect(readProblems({enum: ['a']}, {enum: ['a', 'b']})).toEqual([
      '#: enum value "b" written, reader does not accept it',
    ])
    expect(
      readProblems(
        {type: 'object', additionalProperties: false, properties: {}},
        {type: 'object', additionalProperties: false, properties: {x: {type: 'string'}}},
      ),
    ).toHaveLength(1)
  })

  it('checks every earlier version when transitive', () => {
    const v2 = {type: 'object', properties: {id: {type: 'string'}}}
    const v3 = {type: 'object', properties: {id: {type: 'string'}, kind: {enum: ['a']}}}
    expect(compatibilityProblems('FORWARD', v3, [v1, v2])).toEqual([])
    expect(compatibilityProblems('FORWARD_TRANSITIVE', v3, [v1, v2]).length).toBeGreaterThan(0)
  })
})
