import type { Model, ModelStatic } from 'sequelize';

/**
 * A subclass of a model for one database. `Model.init` binds the class it is called on, so a second
 * hub in the same process (tests start several) would otherwise take the first one's models over.
 */
export function boundClass<C extends ModelStatic<Model>>(Base: C): C {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const Bound = class extends (Base as any) {};
  Object.defineProperty(Bound, 'name', { value: Base.name });
  return Bound as unknown as C;
}
