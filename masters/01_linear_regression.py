# %% [markdown]
# # 01 · Linear regression: data, model, loss, optimiser
#
# Every supervised deep-learning project has the same four players:
#
# | player | in this notebook |
# | --- | --- |
# | **data** | 50 noisy measurements of a straight line |
# | **model** | $\hat y = w x + b$, a single artificial neuron |
# | **loss** | the mean squared error $L = \frac1N\sum_i(\hat y_i - y_i)^2$ |
# | **optimiser** | the rule that changes $w$ and $b$ to lower $L$ |
#
# We fit the same line three ways: with scikit-learn's exact solver, with a
# one-neuron Keras model, and by gradient descent written out in NumPy, so
# that nothing about "training" stays magic.

# %%
import bootcamp

bootcamp.setup(seed=42)

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LinearRegression

from bootcamp import plots
from bootcamp.checks import floor, record

# %% [markdown]
# ## The data
#
# A straight line with slope 0.3, plus uniform noise between 0 and 0.5 (so the
# best intercept is about 0.25, the noise's mean). A separate **test set**
# from the same process is kept aside to judge the fitted models on points
# they never saw.

# %%
rng = np.random.default_rng(seed=0)
n_train = 50
x_train = 10 * rng.random((n_train, 1))
y_train = 0.3 * x_train + 0.5 * rng.random((n_train, 1))

x_test = 10 * rng.random((200, 1))
y_test = 0.3 * x_test + 0.5 * rng.random((200, 1))
x_line = np.linspace(0, 10, 100).reshape(-1, 1)

plots.fit_plot(x_train, y_train, {}, title="Training data: a noisy line", points_label="training points");

# %% [markdown]
# ## 1. scikit-learn: the exact answer
#
# For a linear model and a squared-error loss, the best parameters have a
# closed form (least squares). `LinearRegression` computes it directly: no
# iterations, no learning rate.

# %%
sk_model = LinearRegression().fit(x_train, y_train)
print(f"scikit-learn: w = {sk_model.coef_[0, 0]:.4f}, b = {sk_model.intercept_[0]:.4f}")

# %% [markdown]
# ## 2. Keras: the same line as one neuron
#
# A `Dense(1)` layer with one input *is* the line $w x + b$. Keras finds $w$ and
# $b$ iteratively: it starts from random values and lets an optimiser (Adam)
# step downhill on the loss, one mini-batch of 32 points at a time. One pass
# over the training set is an **epoch**.
#
# Building the model and training it are separate steps: first the cell that
# *builds* (architecture, loss, optimiser), then the one that *runs*.

# %%
model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1, name="neuron")])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1), loss="mse")
model.summary()

# %%
epochs = bootcamp.choose(full=300, quick=150)
history = model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0)
w_keras, b_keras = (float(v.ravel()[0]) for v in model.get_layer("neuron").get_weights())
print(f"Keras after {epochs} epochs: w = {w_keras:.4f}, b = {b_keras:.4f}")

# %%
fig, (ax_fit, ax_loss) = plt.subplots(1, 2, figsize=(12, 4))
plots.fit_plot(x_train, y_train, {
    "scikit-learn (exact)": (x_line, sk_model.predict(x_line)),
    "Keras (Adam)": (x_line, model.predict(x_line, verbose=0)),
}, title="Two fits of the same data", ax=ax_fit)
plots.loss_curves({"one neuron": history.history}, title="Keras training loss", ax=ax_loss);

# %% [markdown]
# ### Training versus inference
#
# **Training** changed the weights, thousands of small steps guided by the
# loss and its gradient. **Inference** uses the finished model: the weights
# are frozen and a prediction is one cheap evaluation, `model.predict(x)` for
# many inputs or `model(x)` inside your own code. Training is where the
# computer time goes; inference is what a trained model is for.
#
# Both models are judged on the **test set**, which neither saw while
# fitting. The noise alone gives an error floor of $0.5^2/12 \approx 0.021$:
# no model of a line can do better.

# %%
mse_sklearn = float(np.mean((sk_model.predict(x_test) - y_test) ** 2))
mse_keras = float(np.mean((model.predict(x_test, verbose=0) - y_test) ** 2))
print(f"test MSE: scikit-learn {mse_sklearn:.4f}, Keras {mse_keras:.4f}")

# %% [markdown]
# ## 3. Gradient descent by hand
#
# What did Adam do? Its plainer cousin, **gradient descent**, is three lines.
# The gradient of the loss points uphill, so step the other way:
#
# $$\frac{\partial L}{\partial w} = \frac2N\sum_i (w x_i + b - y_i)\,x_i, \qquad
#   \frac{\partial L}{\partial b} = \frac2N\sum_i (w x_i + b - y_i), \qquad
#   w \leftarrow w - \eta\,\frac{\partial L}{\partial w},\; b \leftarrow b - \eta\,\frac{\partial L}{\partial b}$$
#
# The step size $\eta$ is the **learning rate**.

# %%
def gradient_descent(x, y, *, lr, steps, w=0.0, b=0.0):
    """Fit y ~ w*x + b by gradient descent; return the path of w, b and loss."""
    x, y = np.ravel(x), np.ravel(y)
    path = {"w": [w], "b": [b], "loss": []}
    for _ in range(steps):
        residual = w * x + b - y
        loss = np.mean(residual**2)
        path["loss"].append(loss)
        if not np.isfinite(loss) or loss > 1e12:  # diverged: stop, keep the path so far
            break
        w = w - lr * 2 * np.mean(residual * x)
        b = b - lr * 2 * np.mean(residual)
        path["w"].append(w)
        path["b"].append(b)
    return {key: np.asarray(values) for key, values in path.items()}

# %% [markdown]
# ### The effect of the learning rate
#
# Three runs from the same start: too small crawls, a good one gets there,
# slightly too large overshoots further at every step and **diverges**.

# %%
steps = bootcamp.choose(full=400, quick=200)
rates = {"too small (0.001)": 0.001, "good (0.02)": 0.02, "too large (0.03)": 0.03}
with np.errstate(over="ignore", invalid="ignore"):
    paths = {label: gradient_descent(x_train, y_train, lr=lr, steps=steps) for label, lr in rates.items()}
for label, path in paths.items():
    print(f"{label:>18}: final loss {path['loss'][-1]:.3g} after {len(path['loss'])} steps")

# %%
fig, (ax_surf, ax_loss) = plt.subplots(1, 2, figsize=(13, 4.5))
w_grid, b_grid = np.meshgrid(np.linspace(-0.2, 0.8, 201), np.linspace(-1.5, 2.0, 201))
surface = np.mean((w_grid[..., None] * x_train.ravel() + b_grid[..., None] - y_train.ravel()) ** 2, axis=-1)
contours = ax_surf.contour(w_grid, b_grid, surface, levels=np.geomspace(0.02, 40, 15), cmap="viridis")
ax_surf.clabel(contours, fontsize=7, fmt="%.2g")
for label, path in paths.items():
    diverged = path["loss"][-1] > path["loss"][0]
    shown = 6 if diverged else 60                    # a diverging path leaves the picture fast
    ax_surf.plot(path["w"][:shown], path["b"][:shown], ".-", markersize=4,
                 linewidth=0.8 if diverged else 1.5, label=f"{label}, first {shown} steps")
ax_surf.plot(sk_model.coef_[0, 0], sk_model.intercept_[0], "k*", markersize=12, label="exact minimum")
ax_surf.set(xlim=(-0.2, 0.8), ylim=(-1.5, 2.0), xlabel="slope w", ylabel="intercept b",
            title="Loss surface L(w, b) and gradient-descent paths")
ax_surf.legend(fontsize="small")
for label, path in paths.items():
    ax_loss.semilogy(path["loss"], label=label)
ax_loss.set(xlabel="step", ylabel="MSE (log scale)", title="Loss per step", ylim=(1e-2, 1e4))
ax_loss.legend(fontsize="small");

# %% [markdown]
# The surface is a long, narrow valley: steep across (the slope $w$ multiplies
# $x$ values up to 10) and nearly flat along its floor (mostly the intercept).
# The learning rate must be small enough not to bounce out of the steep
# direction, which makes progress along the flat one slow. This is why
# practitioners rescale inputs, and why adaptive optimisers such as Adam, which
# pick a step per parameter, are the default in deep learning.

# %% [markdown]
# ## Exercise 1: least squares in closed form
#
# For one input the exact solution is
# $w = \dfrac{\operatorname{cov}(x, y)}{\operatorname{var}(x)}$ and
# $b = \bar y - w\,\bar x$. Compute both with NumPy from `x_train` and
# `y_train` (hint: `np.mean`; flatten with `.ravel()`).

# %% tags=["exercise"]
# TODO: compute slope_cf and intercept_cf from x_train and y_train
# BEGIN SOLUTION
xs, ys = x_train.ravel(), y_train.ravel()
slope_cf = np.mean((xs - xs.mean()) * (ys - ys.mean())) / np.mean((xs - xs.mean()) ** 2)
intercept_cf = ys.mean() - slope_cf * xs.mean()
# END SOLUTION
# BEGIN STARTER
slope_cf = None
intercept_cf = None
# END STARTER

# %% tags=["selfcheck"]
from bootcamp.selfcheck import linreg

linreg.closed_form(slope_cf, intercept_cf, x_train, y_train)

# %% [markdown]
# ## Exercise 2: the largest stable learning rate
#
# Between 0.02 (converges) and 0.03 (diverges) lies a limit. Try values with
# `gradient_descent(x_train, y_train, lr=..., steps=300)` and set `lr_max` to
# the largest learning rate you find for which the loss still falls. The
# self-check accepts anything stable within 20% of the true limit.

# %% tags=["exercise"]
# TODO: set lr_max to the largest stable learning rate you found
# BEGIN SOLUTION
candidates = np.arange(0.020, 0.031, 0.0005)
stable = [lr for lr in candidates
          if (lambda loss: np.isfinite(loss[-1]) and loss[-1] < loss[0])(
              gradient_descent(x_train, y_train, lr=lr, steps=300)["loss"])]
lr_max = float(max(stable))
print(f"largest stable learning rate on the grid: {lr_max:.4f}")
# END SOLUTION
# BEGIN STARTER
lr_max = None
# END STARTER

# %% tags=["selfcheck"]
linreg.largest_learning_rate(lr_max, gradient_descent, x_train, y_train)

# %% [markdown]
# ## Did it learn?
#
# The learning floor: the Keras neuron must land close to the exact solution
# (within 20% of the noise floor on the test set).

# %%
record("scikit-learn test MSE", mse_sklearn)
floor("Keras test MSE", mse_keras, at_most=1.2 * max(mse_sklearn, 0.5**2 / 12))
floor("Keras slope error", abs(w_keras - sk_model.coef_[0, 0]), at_most=0.02)

# %% [markdown]
# ## What to remember
#
# * Data, model, loss, optimiser: every later notebook has the same four parts.
# * A closed form exists only for the simplest models; neural networks are
#   trained iteratively, by some variant of gradient descent.
# * The learning rate is the first knob to check when training misbehaves:
#   too small wastes time, too large diverges.
