# The Incident Atlas app image (Streamlit on port 8501). Not built on the development
# machines (no Docker there); see README "Team deployment".
FROM python:3.11-slim-bookworm
WORKDIR /app
COPY requirements.lock pyproject.toml ./
COPY geo ./geo
COPY ui ./ui
COPY pages ./pages
COPY data ./data
COPY app.py ./
COPY .streamlit/config.toml ./.streamlit/config.toml
RUN pip install --no-cache-dir -c requirements.lock ".[oidc]"
EXPOSE 8501
CMD ["streamlit", "run", "app.py", "--server.port", "8501", "--server.address", "0.0.0.0"]
